// libFuzzer target: the Kafka wire decoders (idemcheck/wire): request and
// response headers, every message body in every supported version, and
// record batches.
//
// Any bytes must decode to a value or come back as an error, never a crash,
// an out-of-bounds read or other undefined behaviour (ASan and UBSan are on
// in the fuzz preset). A value that decodes is encoded again and must decode
// to the same value: the encoders write what the decoders accept. The first
// input byte picks the decoder and the version; for record batches, half the
// inputs get a correct CRC written over the mutated bytes, so that mutations
// reach the record parsing behind the CRC check.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "idemcheck/impl/crc32c.hpp"
#include "idemcheck/wire/protocol.hpp"
#include "idemcheck/wire/record_batch.hpp"

namespace {

using namespace idemcheck::wire;

template <class M, class Decode>
void round_trip(ByteView body, std::int16_t version, Decode decode) {
  const Parsed<M> d = decode(body, version);
  if (!d) {
    if (d.error.empty()) std::abort();
    return;
  }
  if (!d.error.empty()) std::abort();
  const Parsed<M> again = decode(encode(*d.value, version), version);
  if (!again || !(*again.value == *d.value)) std::abort();
}

void batches(std::vector<std::byte> input, bool fix_crc) {
  if (fix_crc && input.size() >= 21) {
    const std::uint32_t crc = idemcheck::impl::crc32c(std::span<const std::byte>(input).subspan(21));
    for (std::size_t i = 0; i < 4; ++i) input[17 + i] = static_cast<std::byte>(crc >> (24 - 8 * i));
  }
  const BatchDecode d = decode_record_batches(input);
  if (d.error != BatchError::none) {
    if (d.message.empty() || !d.batches.empty()) std::abort();
    return;
  }
  for (const RecordBatch& b : d.batches) {
    const BatchDecode again = decode_record_batches(encode(b));
    if (again.error != BatchError::none || again.batches.size() != 1) std::abort();
    RecordBatch expected = b;
    expected.crc = again.batches[0].crc;  // encode writes the right CRC whatever b held
    if (!(again.batches[0] == expected)) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t selector = data[0];
  const std::vector<std::byte> input(reinterpret_cast<const std::byte*>(data + 1),
                                     reinterpret_cast<const std::byte*>(data + size));
  const ByteView body(input);
  // Low nibble: which decoder; high nibble: the version (wrapped into the
  // API's range, and now and then one outside it).
  const int which = selector & 0x0F;
  const int v = selector >> 4;
  const auto in = [v](int min, int max) { return static_cast<std::int16_t>(v == 15 ? max + 1 : min + v % (max - min + 1)); };
  switch (which) {
    case 0:
      round_trip<ApiVersionsRequest>(body, in(0, 3), decode_api_versions_request);
      break;
    case 1:
      round_trip<ApiVersionsResponse>(body, in(0, 3), decode_api_versions_response);
      break;
    case 2:
      round_trip<MetadataRequest>(body, in(0, 12), decode_metadata_request);
      break;
    case 3:
      round_trip<MetadataResponse>(body, in(0, 12), decode_metadata_response);
      break;
    case 4:
      round_trip<InitProducerIdRequest>(body, in(0, 4), decode_init_producer_id_request);
      break;
    case 5:
      round_trip<InitProducerIdResponse>(body, in(0, 4), decode_init_producer_id_response);
      break;
    case 6:
      round_trip<ProduceRequest>(body, in(3, 9), decode_produce_request);
      break;
    case 7:
      round_trip<ProduceResponse>(body, in(3, 9), decode_produce_response);
      break;
    case 8: {
      const Parsed<RequestFrame> f = decode_request_header(body);
      if (f && f.value->body_offset > body.size()) std::abort();
      break;
    }
    case 9: {
      const std::int16_t keys[] = {0, 3, 18, 22};
      const std::int16_t key = keys[v % 4];
      const Parsed<ResponseFrame> f = decode_response_header(key, static_cast<std::int16_t>(v), body);
      if (f && f.value->body_offset > body.size()) std::abort();
      break;
    }
    default:
      batches(input, (selector & 0x10) != 0);
      break;
  }
  return 0;
}
