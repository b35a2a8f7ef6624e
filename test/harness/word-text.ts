/**
 * Text to deflate, the same bytes on every run for one seed: words, a line break after about one
 * in ten. `rand` is the generator `text` draws from, for callers that draw sizes from it too.
 */
export function wordText(seed: number): { rand: () => number; text: (size: number) => string } {
  const rand = () => (seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32;
  const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
  const text = (size: number) => {
    let s = '';
    while (s.length < size) s += words[Math.floor(rand() * words.length)] + (rand() < 0.1 ? '\n' : ' ');
    return s.slice(0, size);
  };
  return { rand, text };
}
