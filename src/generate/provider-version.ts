/**
 * The hashicorp/aws provider checks aws_lambda_function's runtime against the list it was built
 * with: 5.x rejects the runtimes AWS added in November 2025 at plan ("expected runtime to be one of
 * …, got nodejs24.x"). Their support came in 6.20.0 (the provider's CHANGELOG: "AWS Lambda Node.js
 * 24, Java 25 and Python 3.14", hashicorp/terraform-provider-aws#45024). Runtimes not named here
 * are accepted from the lowest version lci's Terraform needs.
 */
const LOWEST = '5.40';
const FIRST_ACCEPTED: Record<string, string> = {
  'nodejs24.x': '6.20.0',
  'python3.14': '6.20.0',
};

/** versions.tf's constraint on hashicorp/aws, for the runtimes of the functions Terraform creates. */
export function awsProviderConstraint(runtimes: Iterable<string>): { constraint: string; raisedBy: string[] } {
  const raisedBy = [...new Set(runtimes)].filter((r) => FIRST_ACCEPTED[r]).sort();
  const lowest =
    raisedBy
      .map((r) => FIRST_ACCEPTED[r]!)
      .sort(compareVersions)
      .at(-1) ?? LOWEST;
  return { constraint: `>= ${lowest}, < 7`, raisedBy };
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}
