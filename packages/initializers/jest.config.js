module.exports = {...require('../../jest.preset.js'), displayName: 'initializers', passWithNoTests: true};
