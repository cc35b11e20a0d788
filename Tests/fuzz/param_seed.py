#!/usr/bin/env python3
"""Makes a params-* seed: a document, a NUL, and parameter bytes with which the fuzz target's
calls on it succeed (see fuzz_entry_points.c, "An input is DOCUMENT [ '\\0' PARAMETERS ]").

The parameter bytes are read in the target's order, so when that order changes the params-*
seeds reach less; remake them:

  python3 Tests/fuzz/param_seed.py <build>/Tests/fuzz/fuzz_entry_points \\
      Tests/fuzz/corpus/settings-fp8-moe.json Tests/fuzz/corpus/params-settings-fp8-moe \\
      'settings={"fp8_recipe"'

Random parameter bytes are tried (with PDCOST_FUZZ_TRACE=1) until every trace line given
after the output path appears and, among those candidates, the most of the cost-model calls
succeed (create, settings_json, predict, predict_json, search_run, gpu_complete).
"""
import os
import random
import subprocess
import sys
import tempfile

CALLS = ['cost_model_create: PDCOST_OK', 'cost_model_settings_json: PDCOST_OK', 'cost_model_predict: PDCOST_OK',
         'cost_model_predict_json: PDCOST_OK', 'search_run: PDCOST_OK', 'gpu_complete: PDCOST_OK']


def main() -> int:
    if len(sys.argv) < 4:
        print(__doc__)
        return 2
    fuzzer, document, output, required = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    doc = open(document, 'rb').read()
    if b'\0' in doc:
        print(f'{document} holds a NUL: not a document')
        return 2
    rng = random.Random(output)
    best = None
    with tempfile.TemporaryDirectory(prefix='pdcost-param-seed-') as tmp:
        for batch in range(20):
            files = []
            for i in range(50):
                path = os.path.join(tmp, f'c{batch}-{i}')
                with open(path, 'wb') as f:
                    f.write(doc + b'\0' + bytes(rng.getrandbits(8) for _ in range(rng.choice([64, 128, 256, 512]))))
                files.append(path)
            env = dict(os.environ, PDCOST_FUZZ_TRACE='1')
            run = subprocess.run([fuzzer, '-runs=1', '-detect_leaks=0'] + files, env=env, capture_output=True,
                                 timeout=600)
            text = run.stderr.decode('utf-8', 'replace')
            if run.returncode != 0:
                print(text[-4000:])
                print('the fuzz target failed on a candidate (above): look at it before making seeds')
                return 1
            for chunk in text.split('Running: ')[1:]:
                path = chunk.split('\n', 1)[0].strip()
                lines = [line[6:] for line in chunk.split('Executed ', 1)[0].split('\n') if line.startswith('trace ')]
                if not all(any(want in line for line in lines) for want in required):
                    continue
                score = sum(any(line.startswith(call) for line in lines) for call in CALLS)
                score += 0.01 * sum('PDCOST_OK' in line for line in lines)
                if best is None or score > best[0]:
                    best = (score, open(path, 'rb').read(), lines)
            if best is not None and best[0] >= len(CALLS):
                break
    if best is None:
        print('no candidate had every line asked for:', required)
        return 1
    with open(output, 'wb') as f:
        f.write(best[1])
    print('\n'.join(best[2]))
    print(f'wrote {output}: {sum(any(l.startswith(c) for l in best[2]) for c in CALLS)} of {len(CALLS)} calls succeed')
    return 0


if __name__ == '__main__':
    sys.exit(main())
