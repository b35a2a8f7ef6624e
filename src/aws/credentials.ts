import { homedir } from 'node:os';
import { join } from 'node:path';
import { CredentialsError } from '../errors.js';
import { readNamedFile } from '../named-file.js';

/** What lci needs of the SDK's resolved credentials: the account, when the provider knows it. */
export interface Credentials {
  accessKeyId: string;
  accountId?: string;
}
export type CredentialsProvider = () => Promise<Credentials>;

/** Files the SDK reads whose paths come from the environment: each is checked as any file lci reads is. */
const CREDENTIAL_FILES = ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_WEB_IDENTITY_TOKEN_FILE'] as const;
const MAX_CREDENTIAL_FILE_BYTES = 16 * 1024 * 1024;

const HOW =
  'give lci credentials one of the usual ways: AWS_PROFILE or --profile (after aws sso login for an SSO profile), AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or a role where lci runs (the CodeBuild project’s service role, an ECS task or EC2 instance role)';

/**
 * Resolves the credentials once, before any work, so a run without them is one line that says how
 * to provide them instead of every function failing with the SDK's "Could not load credentials
 * from any providers". The provider is the one every client of the run then shares.
 */
export async function resolveCredentials(
  provider: CredentialsProvider,
  env: NodeJS.ProcessEnv,
  profile: string | undefined,
): Promise<Credentials> {
  for (const name of CREDENTIAL_FILES) {
    const path = env[name];
    if (!path) continue;
    const file = readNamedFile(path, MAX_CREDENTIAL_FILE_BYTES, 'no AWS configuration file is that large');
    if (!file.ok && file.kind !== 'missing')
      throw new CredentialsError(`${name}=${path} ${file.problem}; point it at the file, or unset it`);
  }
  try {
    return await provider();
  } catch (e) {
    const known = profile === undefined || profileDeclared(profile, env);
    throw new CredentialsError(credentialsProblem((e as Error)?.message ?? String(e), profile, known));
  }
}

/** Whether a section of ~/.aws/config or ~/.aws/credentials (or the files the variables name) declares the profile. */
function profileDeclared(profile: string, env: NodeJS.ProcessEnv): boolean {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const files = [
    env.AWS_CONFIG_FILE ?? join(home, '.aws', 'config'),
    env.AWS_SHARED_CREDENTIALS_FILE ?? join(home, '.aws', 'credentials'),
  ];
  return files.some((path) => {
    const file = readNamedFile(path, MAX_CREDENTIAL_FILE_BYTES);
    return (
      file.ok &&
      file.data
        .toString('utf8')
        .split(/\r?\n/)
        .some((line) => /^\s*\[\s*(?:profile\s+)?(.+?)\s*\]/.exec(line)?.[1] === profile)
    );
  });
}

/** What went wrong, in lci's words: the SDK's own message names its internals (providers, chains). */
export function credentialsProblem(message: string, profile: string | undefined, declared = true): string {
  const named = profile ? `AWS profile '${profile}'` : 'the AWS profile';
  if (!declared || /could not be found or parsed/i.test(message))
    return `${named} is in neither ~/.aws/config nor ~/.aws/credentials (nor AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE); check its name, or ${HOW.replace('give lci credentials one of', 'use one of')}`;
  if (/sso/i.test(message) && /expired|invalid|refresh|not found/i.test(message))
    return `${named} signs in with AWS SSO (IAM Identity Center) and has no valid session; run aws sso login${profile ? ` --profile ${profile}` : ''}, then run lci again`;
  return `no AWS credentials found${profile ? ` for profile '${profile}'` : ''}; ${HOW}`;
}
