import type { DeclaredFunction } from '../../../src/init/model.js';

/** A function as a SAM template declares it, python3.12 with app.handler and no layers, unless `extra` says otherwise. */
export function declaredFunction(id: string, codeDir: string, extra: Partial<DeclaredFunction> = {}): DeclaredFunction {
  return {
    origin: { kind: 'sam', file: 'template.yaml', at: `Resources.${id}` },
    id,
    scope: '',
    codeDir,
    handler: 'app.handler',
    runtime: 'python3.12',
    architecture: null,
    functionName: { kind: 'fixed', value: `shop-\${env}-${codeDir.split('/').at(-1)}` },
    layers: [],
    foreignLayers: [],
    exclude: [],
    include: [],
    descriptor: null,
    build: null,
    ...extra,
  };
}
