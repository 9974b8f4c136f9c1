module.exports = {...require('../../jest.preset.js'), displayName: 'layers', passWithNoTests: true};
