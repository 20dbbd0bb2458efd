/*
 * hmac_sha256: HMAC-SHA256 of server-to-server frames with the OpenSSL inside the Node that loads
 * it, without a JavaScript object per tag. node:crypto's createHmac builds a stream object and a
 * C++ object for every tag (about 2.3 us), and the garbage collector frees those objects in its
 * pauses: with a cluster key, that churn lengthened a server's pauses enough to add about a
 * millisecond to the p99 latency of a lightly loaded cluster.
 *
 * create(key) -> a context holding the key (an OpenSSL EVP_MAC_CTX, freed with the context).
 * tag(context, data, out): writes HMAC-SHA256(key, data) into out[0..32). Throws if OpenSSL fails.
 *
 * Built at install by scripts/build-native.mjs with the system C compiler and the headers of the
 * Node that runs it (N-API; OpenSSL's symbols are Node's own); optional: without it the server
 * tags with node:crypto.
 */
#include <node_api.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

enum { TAG_BYTES = 32 };

/* Marks the contexts made here, so that tag() takes no other addon's external for one. */
static const napi_type_tag CONTEXT_TAG = {0x6c1a3c5d2f0e4b7aULL, 0x9d8e1f2a3b4c5d6eULL};

static void free_context(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  EVP_MAC_CTX_free((EVP_MAC_CTX *)data);
}

static int bytes_of(napi_env env, napi_value value, unsigned char **data, size_t *length) {
  napi_typedarray_type type;
  void *raw;
  if (napi_get_typedarray_info(env, value, &type, length, &raw, NULL, NULL) != napi_ok ||
      type != napi_uint8_array)
    return 0;
  *data = raw;
  return 1;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

static napi_value create(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  unsigned char *key;
  size_t key_length;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      !bytes_of(env, argv[0], &key, &key_length))
    return fail(env, "create(key: Uint8Array)");
  /* An empty array may have no memory at all, and OpenSSL reads a NULL key as "keep the key". */
  static const unsigned char no_key_bytes[1];
  if (key_length == 0) key = (unsigned char *)no_key_bytes;
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  EVP_MAC_CTX *context = mac == NULL ? NULL : EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);
  if (context == NULL) return fail(env, "OpenSSL has no HMAC");
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end(),
  };
  if (EVP_MAC_init(context, key, key_length, params) != 1) {
    EVP_MAC_CTX_free(context);
    return fail(env, "OpenSSL refused the key");
  }
  napi_value external;
  if (napi_create_external(env, context, free_context, NULL, &external) != napi_ok) {
    EVP_MAC_CTX_free(context);
    return fail(env, "out of memory");
  }
  if (napi_type_tag_object(env, external, &CONTEXT_TAG) != napi_ok) return fail(env, "cannot tag");
  return external;
}

static napi_value tag(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  void *context;
  unsigned char *data, *out;
  size_t data_length, out_length, written;
  bool ours = false;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 3 ||
      napi_check_object_type_tag(env, argv[0], &CONTEXT_TAG, &ours) != napi_ok || !ours ||
      napi_get_value_external(env, argv[0], &context) != napi_ok ||
      !bytes_of(env, argv[1], &data, &data_length) || !bytes_of(env, argv[2], &out, &out_length) ||
      out_length < TAG_BYTES)
    return fail(env, "tag(context, data: Uint8Array, out: Uint8Array(32))");
  /* A NULL key starts a new tag under the key given at create. */
  if (EVP_MAC_init(context, NULL, 0, NULL) != 1 || EVP_MAC_update(context, data, data_length) != 1 ||
      EVP_MAC_final(context, out, &written, TAG_BYTES) != 1 || written != TAG_BYTES)
    return fail(env, "HMAC-SHA256 failed");
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_property_descriptor properties[] = {
      {"create", NULL, create, NULL, NULL, NULL, napi_default, NULL},
      {"tag", NULL, tag, NULL, NULL, NULL, napi_default, NULL},
  };
  if (napi_define_properties(env, exports, 2, properties) != napi_ok) return NULL;
  return exports;
}
