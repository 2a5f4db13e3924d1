// A proxy-wasm filter in C, built with clang for wasm32 and no SDK at all: it shows the
// wasmesh host shim runs modules from another toolchain exactly as it runs ours.
//
// Behaviour: on_configure stores the plugin configuration (a header name); every request gets
// `x-c-filter: <configured name>`; a request whose path is /deny gets a 403 local reply;
// on_log logs the response status. Build: ./build.sh (needs clang and wasm-ld).

typedef unsigned int u32;
typedef int i32;
typedef unsigned long long u64;

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_log) i32 proxy_log(i32 level, const char *msg, u32 len);
IMPORT(proxy_get_buffer_bytes) i32 proxy_get_buffer_bytes(i32 type, u32 start, u32 max, char **ptr, u32 *len);
IMPORT(proxy_get_header_map_value) i32 proxy_get_header_map_value(i32 map, const char *k, u32 kl, char **v, u32 *vl);
IMPORT(proxy_add_header_map_value) i32 proxy_add_header_map_value(i32 map, const char *k, u32 kl, const char *v, u32 vl);
IMPORT(proxy_send_local_response) i32 proxy_send_local_response(u32 status, const char *d, u32 dl, const char *b, u32 bl, const char *h, u32 hl, i32 grpc);
IMPORT(proxy_get_property) i32 proxy_get_property(const char *path, u32 pl, char **v, u32 *vl);

// A bump allocator: the host's blocks are never freed in this tiny module.
extern unsigned char __heap_base;
static unsigned char *heap_top = &__heap_base;
EXPORT(malloc) void *malloc_(u32 size) {
  unsigned char *p = heap_top;
  heap_top += (size + 7) & ~7u;
  unsigned long need = (unsigned long)heap_top;
  unsigned long have = __builtin_wasm_memory_size(0) * 65536ul;
  if (need > have && __builtin_wasm_memory_grow(0, (need - have + 65535) / 65536) < 0) return 0;
  return p;
}
EXPORT(proxy_on_memory_allocate) void *proxy_on_memory_allocate(u32 size) { return malloc_(size); }
EXPORT(proxy_abi_version_0_2_1) void abi_marker(void) {}

static u32 len(const char *s) { u32 n = 0; while (s[n]) n++; return n; }
static int same(const char *a, u32 al, const char *b) { u32 bl = len(b); if (al != bl) return 0; for (u32 i = 0; i < al; i++) if (a[i] != b[i]) return 0; return 1; }

static char value[64];
static u32 value_len;

EXPORT(proxy_on_vm_start) i32 on_vm_start(i32 root, i32 size) { return 1; }
EXPORT(proxy_on_configure) i32 on_configure(i32 root, i32 size) {
  char *p = 0; u32 n = 0;
  if (proxy_get_buffer_bytes(7, 0, 0xffffffffu, &p, &n) != 0 || n == 0 || n > sizeof value) {
    const char *m = "c-filter: configuration must be 1-64 bytes";
    proxy_log(4, m, len(m));
    return 0;
  }
  for (u32 i = 0; i < n; i++) value[i] = p[i];
  value_len = n;
  return 1;
}
EXPORT(proxy_on_context_create) void on_context_create(i32 id, i32 parent) {}
EXPORT(proxy_on_request_headers) i32 on_request_headers(i32 id, i32 n, i32 eos) {
  proxy_add_header_map_value(0, "x-c-filter", 10, value, value_len);
  char *path = 0; u32 pl = 0;
  if (proxy_get_header_map_value(0, ":path", 5, &path, &pl) == 0 && same(path, pl, "/deny")) {
    proxy_send_local_response(403, "c_filter_denied", 15, "denied by C", 11, 0, 0, -1);
    return 1;
  }
  return 0;
}
EXPORT(proxy_on_log) void on_log(i32 id) {
  char *v = 0; u32 vl = 0;
  // response.code is an int64, 8 bytes little-endian (§4.5)
  if (proxy_get_property("response\0code", 13, &v, &vl) == 0 && vl == 8) {
    u64 code = 0;
    for (int i = 7; i >= 0; i--) code = (code << 8) | (unsigned char)v[i];
    char msg[] = "c-filter: status 000";
    msg[17] = '0' + (char)(code / 100 % 10);
    msg[18] = '0' + (char)(code / 10 % 10);
    msg[19] = '0' + (char)(code % 10);
    proxy_log(2, msg, 20);
  }
}
EXPORT(proxy_on_done) i32 on_done(i32 id) { return 1; }
EXPORT(proxy_on_delete) void on_delete(i32 id) {}
