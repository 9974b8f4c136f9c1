module.exports = {...require('../../jest.preset.js'), displayName: 'grad-clip', passWithNoTests: true};
