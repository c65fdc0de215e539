// The official validation artefacts (../shared/conformance, see its README) run with Saxon-HE as an
// oracle for Facteur's own rules: one JVM per artefact over a whole folder, since a JVM start costs
// about a second, and the SVRL reports read back into the set of error-level rule ids per file.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { DOMParser, type Element } from '@xmldom/xmldom';
import { OFFICIAL_RULES } from '../../../src/einvoice/validate/official-rules.ts';
import type { OfficialArtefact } from '../../../src/einvoice/validate/profile.ts';

export const SAXON_JAR = '/usr/share/java/Saxon-HE.jar';

/** The official artefacts: `$FACTEUR_CONFORMANCE`, else `../shared/conformance` from the repository. */
export const CONFORMANCE_DIR = resolve(process.env.FACTEUR_CONFORMANCE ?? '../shared/conformance');

/** The artefacts the suite runs: those whose rule sets Facteur follows, each XSLT under the conformance folder. */
export type Artefact = OfficialArtefact;

/** What an artefact said of one file: its error-level rule ids, or why it could not judge it. */
export type OracleVerdict = { readonly errors: readonly string[] } | { readonly failure: string };

/** Why the oracle cannot run here, or undefined when Java and Saxon-HE are installed. */
export function oracleUnavailable(conformanceDir: string): string | undefined {
  if (!existsSync(SAXON_JAR)) return `Saxon-HE is not installed (${SAXON_JAR}): apt-get install default-jre-headless libsaxonhe-java`;
  if (!existsSync(join(conformanceDir, OFFICIAL_RULES['cen-cii'].source))) return `the official artefacts are not in ${conformanceDir}`;
  return undefined;
}

const SVRL_NAMESPACE = 'http://purl.oclc.org/dsdl/svrl';

/**
 * The rule id of an assertion: the CEN artefacts put it in `@id`; the Factur-X ones number their
 * assertions (`FX-SCH-A-000123`) and name the rule at the start of the text (`[BR-16]-…`), except
 * their reports of an element the profile does not use, of a missing element or attribute (in
 * EXTENDED) and of a value outside their code lists, which have neither: `FX-NOT-USED`,
 * `FX-STRUCTURE` and `FX-CODE-LIST` here.
 */
function ruleId(assertion: Element): string {
  const text = assertion.getElementsByTagNameNS(SVRL_NAMESPACE, 'text')[0]?.textContent ?? '';
  const named = /^\s*\[([A-Za-z0-9][\w.-]*)\]/.exec(text)?.[1] ?? assertion.getAttribute('id');
  if (named) return named;
  if (/marked as not used/.test(text)) return 'FX-NOT-USED';
  if (/must occur|is required in this context/.test(text)) return 'FX-STRUCTURE';
  return /^\s*Value of .* is not allowed/.test(text) ? 'FX-CODE-LIST' : `? ${text.trim().slice(0, 60)}`;
}

/** The error-level rule ids of an SVRL report; an assertion without a flag is an error. Throws on a truncated report. */
export function svrlErrors(svrl: string): string[] {
  const document = new DOMParser({
    onError: (level, message) => {
      if (level !== 'warning') throw new Error(message);
    },
  }).parseFromString(svrl, 'text/xml');
  const ids = new Set<string>();
  for (const name of ['failed-assert', 'successful-report']) {
    for (const assertion of Array.from(document.getElementsByTagNameNS(SVRL_NAMESPACE, name))) {
      const flag = assertion.getAttribute('flag');
      if (flag === null || flag === '' || flag === 'fatal' || flag === 'error') ids.add(ruleId(assertion));
    }
  }
  return [...ids].sort();
}

function runJava(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xss8m', '-cp', SAXON_JAR, 'net.sf.saxon.Transform', ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

/**
 * Runs one artefact over every `.xml` file of `inputDir` in one JVM and returns each file's verdict.
 * Saxon goes on after a file the XSLT cannot process; that file gets a `failure` naming the error
 * codes Saxon printed (an artefact error such as XPTY0004, not an invoice error).
 */
export async function runArtefact(
  conformanceDir: string,
  artefact: Artefact,
  inputDir: string,
  outputDir: string,
): Promise<Map<string, OracleVerdict>> {
  await mkdir(outputDir, { recursive: true });
  const { stderr } = await runJava([`-s:${inputDir}`, `-xsl:${join(conformanceDir, OFFICIAL_RULES[artefact].source)}`, `-o:${outputDir}`]);
  const verdicts = new Map<string, OracleVerdict>();
  const written = new Set(await readdir(outputDir));
  const codes = [...new Set(stderr.match(/\b(?:XPTY|XTDE|FORG|FOAR|XTTE|SXXP|FODC)\d{4}\b/g) ?? [])].sort();
  const failure = codes.length > 0 ? codes.join(' ') : 'no report';
  for (const name of (await readdir(inputDir)).filter((n) => n.endsWith('.xml'))) {
    // A transformation that stopped leaves no report, an empty one or a truncated one.
    const svrl = written.has(name) ? await readFile(join(outputDir, name), 'utf8') : '';
    let errors: string[] | undefined;
    try {
      errors = svrl.trim() === '' ? undefined : svrlErrors(svrl);
    } catch {
      errors = undefined;
    }
    verdicts.set(name, errors === undefined ? { failure } : { errors });
  }
  return verdicts;
}
