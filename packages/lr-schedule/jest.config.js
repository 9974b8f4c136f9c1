module.exports = {...require('../../jest.preset.js'), displayName: 'lr-schedule', passWithNoTests: true};
