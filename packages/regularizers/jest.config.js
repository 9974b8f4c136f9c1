module.exports = {...require('../../jest.preset.js'), displayName: 'regularizers', passWithNoTests: true};
