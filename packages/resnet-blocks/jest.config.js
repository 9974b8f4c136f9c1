module.exports = {...require('../../jest.preset.js'), displayName: 'resnet-blocks', passWithNoTests: true};
