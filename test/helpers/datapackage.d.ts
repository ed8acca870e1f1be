/** The part of Frictionless JS (`datapackage`, CommonJS, untyped) that the release tests use. */
declare module 'datapackage' {
  interface Resource {
    readonly name: string;
    readonly tabular: boolean;
    readonly descriptor: { schema?: { fields: Array<{ name: string; type: string; format?: string }> } };
    read(options?: { cast?: boolean; keyed?: boolean; relations?: boolean }): Promise<unknown[]>;
  }
  interface Package {
    readonly valid: boolean;
    readonly errors: Error[];
    readonly resources: Resource[];
    readonly resourceNames: string[];
    getResource(name: string): Resource | null;
  }
  const datapackage: {
    Package: { load(descriptor: string | object, options?: { basePath?: string; strict?: boolean }): Promise<Package> };
  };
  export default datapackage;
}
