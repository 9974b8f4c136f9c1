module.exports = {...require('../../jest.preset.js'), displayName: 'stable-train', passWithNoTests: true};
