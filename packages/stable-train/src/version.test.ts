import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {version} from './version';

describe('version', () => {
  it("equals package.json's version (the CLI's --version prints it)", () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {version: string};
    expect(version).toBe(pkg.version);
  });
});
