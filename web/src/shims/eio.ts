// crosis falls back to engine.io long polling only when given a
// pollingHost, which this page never gives; the module is left out.
export default function eio(): never {
  throw new Error('engine.io polling is not part of this page');
}
