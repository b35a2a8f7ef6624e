import { execFileSync } from 'node:child_process';
import { tempDir } from './tmp.js';
import { writeTree, type Tree } from './files.js';

/** A real git repository in a temp directory, committed to with a fixed identity and clock. */
export class GitRepo {
  private tick = 0;

  constructor(readonly dir: string) {}

  static create(tree: Tree = {}): GitRepo {
    const repo = new GitRepo(tempDir('lci-repo-'));
    repo.git('init', '-q', '-b', 'main');
    if (Object.keys(tree).length > 0) repo.commit(tree, 'initial');
    return repo;
  }

  git(...args: string[]): string {
    const date = `2026-01-01T00:00:${String(this.tick % 60).padStart(2, '0')}Z`;
    return execFileSync('git', args, {
      cwd: this.dir,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 'test',
        GIT_AUTHOR_EMAIL: 'test@example.com',
        GIT_COMMITTER_NAME: 'test',
        GIT_COMMITTER_EMAIL: 'test@example.com',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }).trim();
  }

  /** Writes (or with null, removes) the files, commits everything, returns the new sha. */
  commit(tree: Tree, message = `change ${this.tick}`): string {
    this.tick++;
    writeTree(this.dir, tree);
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.head();
  }

  head(): string {
    return this.git('rev-parse', 'HEAD');
  }
}
