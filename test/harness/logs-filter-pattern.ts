import { AwsJsonError } from './aws-json.js';

/**
 * CloudWatch Logs filter patterns, the subset for unstructured log events ("Filter pattern syntax
 * for metric filters, subscription filters, filter log events and Live Tail", CloudWatch Logs user
 * guide):
 *
 *   ERROR Exception        every term must occur in the message (substring, case sensitive)
 *   "Failed to process"    a quoted phrase is one term; quotes are needed for any character other
 *                          than a letter, digit or underscore (\" and \\ escape inside quotes)
 *   ?ERROR ?WARN           OR: a ? starts another alternative
 *   ERROR -Exiting         a - excludes a term (the older guide writes it "ERROR" - "Exiting")
 *   (empty pattern)        matches every event
 *
 * A ? starts a new group of terms and the event matches when any group matches: the CDK renders
 * FilterPattern.anyTermGroup(['foo','bar'], ['baz']) as `?"foo" "bar" ?"baz"` (aws-cdk
 * aws-logs/lib/pattern.ts and its tests), which is only right under that reading.
 *
 * Not supported: JSON patterns ({ $.x = ... }), space-delimited patterns ([a, b, ...]) and regular
 * expressions (%...%). They are valid on AWS, so the stand-in answers InvalidParameterException
 * for them rather than silently matching nothing.
 */

export type MessageMatcher = (message: string) => boolean;

interface Term {
  text: string;
  exclude: boolean;
}

const BARE_TERM = /^[A-Za-z0-9_]+$/;

const invalid = (detail: string) => new AwsJsonError('InvalidParameterException', `Invalid filter pattern: ${detail}`);

export function compileFilterPattern(pattern: string | undefined): MessageMatcher {
  const groups = parse(pattern ?? '');
  if (groups.length === 0) return () => true;
  return (message) => groups.some((group) => group.every((term) => message.includes(term.text) !== term.exclude));
}

function parse(pattern: string): Term[][] {
  const groups: Term[][] = [[]];
  let i = 0;
  const skipSpaces = () => {
    while (i < pattern.length && /\s/.test(pattern[i]!)) i++;
  };
  skipSpaces();
  const first = pattern[i];
  if (first === '{') throw unsupported('JSON');
  if (first === '[') throw unsupported('space-delimited');
  if (first === '%') throw unsupported('regular expression');

  while (i < pattern.length) {
    let exclude = false;
    if (pattern[i] === '?') {
      groups.push([]);
      i++;
      if (i >= pattern.length || /\s/.test(pattern[i]!)) throw invalid("Invalid character(s) in term '?'");
    }
    if (pattern[i] === '-') {
      exclude = true;
      i++;
      skipSpaces();
      if (i >= pattern.length) throw invalid("Invalid character(s) in term '-'");
    }
    const text = pattern[i] === '"' ? readQuoted() : readBare();
    groups[groups.length - 1]!.push({ text, exclude });
    skipSpaces();
  }
  return groups.filter((g) => g.length > 0);

  function readQuoted(): string {
    const start = i;
    let text = '';
    i++;
    while (i < pattern.length && pattern[i] !== '"') {
      if (pattern[i] === '\\' && i + 1 < pattern.length) i++;
      text += pattern[i];
      i++;
    }
    if (i >= pattern.length) throw invalid(`Unterminated quoted term ${pattern.slice(start)}`);
    i++;
    // AWS rejects an empty phrase: "Invalid character(s) in term '\"\"'" (seen in DefangLabs/defang#1008).
    if (text === '') throw invalid(`Invalid character(s) in term '${pattern.slice(start, i)}'`);
    return text;
  }

  function readBare(): string {
    const start = i;
    while (i < pattern.length && !/\s/.test(pattern[i]!)) i++;
    const text = pattern.slice(start, i);
    if (!BARE_TERM.test(text)) throw invalid(`Invalid character(s) in term '${text}'`);
    return text;
  }
}

function unsupported(kind: string): AwsJsonError {
  return invalid(
    `${kind} filter patterns are valid in CloudWatch Logs but not implemented by the stand-in (only unstructured terms are)`,
  );
}
