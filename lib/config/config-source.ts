import * as fs from 'fs';
import * as path from 'path';
import type * as TypeScript from 'typescript';

/** Where the environment files live, relative to the repository root (as messages name them). */
export const ENVIRONMENTS_FOLDER = 'lib/config/environments';
/** Where the image data files live (lib/config/environment-images.ts reads them). */
export const IMAGES_FOLDER = 'lib/config/images';
/** The repository root: this file is lib/config/config-source.ts. */
const ROOT = path.resolve(__dirname, '..', '..');

/** The data file of `environment`, relative to the repository root. */
export function imageDataFile(environment: string): string {
  return `${IMAGES_FOLDER}/${environment}.yaml`;
}

/**
 * The data file that holds the config field `field` (e.g. `web.image.digest`,
 * `storeImages.redis`, `authentication.proxyImage.tag`), if an image field: error messages name it.
 */
export function imageFieldFile(environment: string, field: string): string | undefined {
  return /^((web|api|generator)\.image|storeImages|authentication\.proxyImage)(\.|$)/.test(field) ? imageDataFile(environment) : undefined;
}

/** An expression and the file it is written in, with the values of the parameters of the function it is in. */
interface Located {
  readonly node: TypeScript.Expression;
  readonly file: string;
  readonly parameters: ReadonlyMap<string, Located>;
}

/**
 * The file a config error's fix should name: the one in which the value of `field` (e.g.
 * `web.resources.cpuMillis`, or a misspelt key) is written. An environment's file often takes
 * values from shared files (`...reducedFootprintServices(IMAGES)`, `authenticationFor(...)`,
 * `CERTIFICATE_LIFETIME`), and a fix that named the environment's own file would send the reader
 * to the wrong place. The environment's source is followed as TypeScript sees it: object literals,
 * spreads (a later key wins), imported constants, and calls of functions that return an object
 * literal (a value passed as an argument is written where the call is). A missing field is to be
 * added where its enclosing object is written. Anything it cannot follow (or a source it cannot
 * read) names the environment's own file. Only used when an error is reported, so the TypeScript
 * compiler is loaded then and not on every synth.
 */
export function definingFile(environment: string, field: string): string {
  // Images are data (lib/config/environment-images.ts): their values are written in the environment's data file.
  const imageFile = imageFieldFile(environment, field);
  if (imageFile !== undefined) {
    return imageFile;
  }
  const own = `${ENVIRONMENTS_FOLDER}/${environment}.ts`;
  try {
    const root = environmentRoot(own);
    return root === undefined ? own : locate(root, segmentsOf(field));
  } catch {
    return own;
  }
}

function typescript(): typeof TypeScript {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('typescript');
}

const sources = new Map<string, TypeScript.SourceFile | undefined>();

function sourceOf(file: string): TypeScript.SourceFile | undefined {
  if (!sources.has(file)) {
    const full = path.join(ROOT, file);
    const ts = typescript();
    sources.set(file, fs.existsSync(full) ? ts.createSourceFile(full, fs.readFileSync(full, 'utf8'), ts.ScriptTarget.ES2022, true) : undefined);
  }
  return sources.get(file);
}

/** The expression of the exported `EnvironmentConfig` constant of an environment's file. */
function environmentRoot(file: string): Located | undefined {
  const ts = typescript();
  const source = sourceOf(file);
  for (const statement of source?.statements ?? []) {
    if (ts.isVariableStatement(statement) && isExported(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        if (declaration.initializer && declaration.type?.getText(source) === 'EnvironmentConfig') {
          return { node: declaration.initializer, file, parameters: new Map() };
        }
      }
    }
  }
  return undefined;
}

/** The file where the value at `segments` below `at` is written. */
function locate(at: Located, segments: readonly (string | number)[]): string {
  const value = resolve(at);
  if (segments.length === 0) {
    return value.file;
  }
  const [segment, ...rest] = segments;
  const member = memberOf(value, segment);
  return member === undefined ? value.file : locate(member, rest);
}

/** Follows identifiers, parentheses, `as const` and calls to the expression that holds the value. */
function resolve(at: Located): Located {
  const ts = typescript();
  const node = at.node;
  if (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isSatisfiesExpression(node)) {
    return resolve({ ...at, node: node.expression });
  }
  if (ts.isIdentifier(node)) {
    const bound = at.parameters.get(node.text) ?? declarationOf(node.text, at.file);
    return bound === undefined ? at : resolve(bound);
  }
  if (ts.isPropertyAccessExpression(node)) {
    const member = memberOf(resolve({ ...at, node: node.expression }), node.name.text);
    return member === undefined ? at : resolve(member);
  }
  if (ts.isCallExpression(node) && ts.isIdentifier(node.expression)) {
    const returned = returnedBy(node.expression.text, at, node.arguments);
    return returned === undefined ? at : resolve(returned);
  }
  return at;
}

/** The expression of `key` (a property or an index) of the object or array `at`, if it is written as one. */
function memberOf(at: Located, key: string | number): Located | undefined {
  const ts = typescript();
  const node = at.node;
  if (typeof key === 'number') {
    return ts.isArrayLiteralExpression(node) && node.elements[key] !== undefined ? { ...at, node: node.elements[key] } : undefined;
  }
  if (!ts.isObjectLiteralExpression(node)) {
    return undefined;
  }
  // The last writer wins, as in JavaScript: a key after a spread overrides it, and the reverse.
  for (const property of [...node.properties].reverse()) {
    if (ts.isPropertyAssignment(property) && nameOf(property.name) === key) {
      return { ...at, node: property.initializer };
    }
    if (ts.isShorthandPropertyAssignment(property) && property.name.text === key) {
      return { ...at, node: property.name };
    }
    if (ts.isSpreadAssignment(property)) {
      const spread = resolve({ ...at, node: property.expression });
      const inner = memberOf(spread, key);
      if (inner !== undefined) {
        return inner;
      }
    }
  }
  return undefined;
}

/** The initializer of the constant `name` declared in `file` or imported into it. */
function declarationOf(name: string, file: string): Located | undefined {
  const ts = typescript();
  const source = sourceOf(file);
  for (const statement of source?.statements ?? []) {
    if (ts.isVariableStatement(statement)) {
      const declaration = statement.declarationList.declarations.find((d) => ts.isIdentifier(d.name) && d.name.text === name);
      if (declaration?.initializer) {
        return { node: declaration.initializer, file, parameters: new Map() };
      }
    }
  }
  // Values imported from outside lib/config (a library default, an add-on's facts) are changed
  // where the environment names them, not in the library.
  const imported = importedFile(name, file);
  return imported === undefined || !imported.startsWith('lib/config/') ? undefined : declarationOf(name, imported);
}

/** What the function `name` (declared in, or imported into, `at.file`) returns when called with `args` there. */
function returnedBy(name: string, at: Located, args: readonly TypeScript.Expression[]): Located | undefined {
  const ts = typescript();
  const declaringFile = declaresFunction(name, at.file) ? at.file : importedFile(name, at.file);
  const source = declaringFile === undefined ? undefined : sourceOf(declaringFile);
  const fn = source?.statements.find((s): s is TypeScript.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === name);
  const returned = fn?.body?.statements.find((s): s is TypeScript.ReturnStatement => ts.isReturnStatement(s))?.expression;
  if (declaringFile === undefined || fn === undefined || returned === undefined) {
    return undefined;
  }
  const parameters = new Map<string, Located>();
  fn.parameters.forEach((parameter, index) => {
    if (ts.isIdentifier(parameter.name) && args[index] !== undefined) {
      parameters.set(parameter.name.text, { ...at, node: args[index] });
    }
  });
  return { node: returned, file: declaringFile, parameters };
}

function declaresFunction(name: string, file: string): boolean {
  const ts = typescript();
  return (sourceOf(file)?.statements ?? []).some((s) => ts.isFunctionDeclaration(s) && s.name?.text === name);
}

/** The repository path of the file `name` is imported from into `file`, for relative imports of TypeScript files. */
function importedFile(name: string, file: string): string | undefined {
  const ts = typescript();
  for (const statement of sourceOf(file)?.statements ?? []) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) {
      continue;
    }
    const bindings = statement.importClause?.namedBindings;
    if (bindings && ts.isNamedImports(bindings) && bindings.elements.some((e) => e.name.text === name) && statement.moduleSpecifier.text.startsWith('.')) {
      return path.relative(ROOT, path.resolve(path.dirname(path.join(ROOT, file)), `${statement.moduleSpecifier.text}.ts`));
    }
  }
  return undefined;
}

function isExported(statement: TypeScript.VariableStatement): boolean {
  return (statement.modifiers ?? []).some((m) => m.kind === typescript().SyntaxKind.ExportKeyword);
}

function nameOf(name: TypeScript.PropertyName): string | undefined {
  const ts = typescript();
  return ts.isIdentifier(name) || ts.isStringLiteral(name) ? name.text : undefined;
}

/** `['a', 'b', 2, 'c']` for `a.b[2].c`. */
function segmentsOf(field: string): (string | number)[] {
  return field.split('.').flatMap((part) => {
    const [name, ...indexes] = part.split('[');
    return [name, ...indexes.map((index) => Number.parseInt(index, 10))];
  });
}
