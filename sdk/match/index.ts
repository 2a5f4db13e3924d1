// Reusable pure matchers (no ABI): Istio/Envoy string matching, globs, IP/CIDR ranges and
// URI templates. Used by filters/authz; nothing here knows about proxy-wasm.
export { StringMatch, StringMatchKind, asciiLower } from "./string";
export { Cidr, IpAddress, hexDigit, ipOfSocketAddress } from "./ip";
export { globMatch } from "./glob";
export { UriTemplate } from "./uri-template";
