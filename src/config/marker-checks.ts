import { requirementInstalls } from './descriptors.js';
import { evaluateMarker, lambdaMarkerEnvironment } from './markers.js';
import type { Architecture, Runtime } from './runtimes.js';

/** What a python descriptor is built for: a function (its runtime), or a shared layer (built for the first of its runtimes). */
export interface MarkerSubject {
  /** In messages: "function 'orders'", "shared layer 'common'". */
  what: string;
  runtime: Runtime;
  architecture: Architecture;
  /** A shared layer's other compatible runtimes: functions on them get what was built for `runtime`. */
  alsoFor: Runtime[];
}

export interface MarkerProblem {
  line: number;
  col: number;
  message: string;
  severity: 'error' | 'warning';
}

/**
 * Requirements that environment markers leave out where the descriptor is built. When every line
 * is left out, pip installs nothing and the layer would be empty: an error at the first marker.
 * A shared layer's line left out for the runtime it is built for, though its marker holds for
 * another runtime the layer lists, is a warning: those functions would miss it. Pure.
 */
export function markerProblems(text: string, subject: MarkerSubject): MarkerProblem[] {
  if (!text.includes(';')) return []; // a marker follows a ';': most descriptors have none
  const env = lambdaMarkerEnvironment(subject.runtime, subject.architecture);
  if (env === null) return [];
  const lines = requirementInstalls(text);
  const skipped = lines.filter((l) => l.marker !== null && evaluateMarker(l.marker, env) === false);
  const first = skipped[0];
  if (first && skipped.length === lines.length) {
    const others = skipped.length - 1;
    return [
      {
        line: first.line,
        col: first.markerCol,
        severity: 'error',
        message: `${first.marker} is false on ${subject.runtime}${others > 0 ? `, and so are the markers of the other ${others === 1 ? 'requirement' : `${others} requirements`}` : ''}: pip would install nothing, and the dependency layer of ${subject.what} would be empty; fix the markers, or ${subject.alsoFor.length > 0 ? `list first the runtime they are for (the layer is built for ${subject.runtime}, the first of its runtimes)` : 'set descriptor: false'}`,
      },
    ];
  }
  const out: MarkerProblem[] = [];
  for (const l of skipped) {
    const wanted = subject.alsoFor.find((r) => {
      const other = lambdaMarkerEnvironment(r, subject.architecture);
      return other !== null && evaluateMarker(l.marker!, other) === true;
    });
    if (wanted)
      out.push({
        line: l.line,
        col: l.markerCol,
        severity: 'warning',
        message: `${l.marker} is false on ${subject.runtime}, the runtime ${subject.what} is built for (the first of its runtimes), so pip leaves ${l.name} out of it, though the layer lists ${wanted}: functions on ${wanted} would run without it; give them a layer of their own`,
      });
  }
  return out;
}
