/** The sandbox worker bundled into one script (app/sandbox/build/vite-plugin.ts). */
declare module 'virtual:sandbox-worker' {
  const script: string;
  export default script;
}
