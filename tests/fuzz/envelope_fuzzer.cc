// libFuzzer target for the webhook envelope parser: any bytes that get past the signature check
// must never crash, hang or leak, and every event it yields must survive the queue round trip.
// Built and run by scripts/fuzz (clang); see README.md for long runs.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "whatsapp/envelope.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using chatshop::whatsapp::InboundEvent;
  auto body = nlohmann::json::parse(data, data + size, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) return 0;
  // Half of all numbers count as configured shops, so both branches are explored.
  auto batch = chatshop::whatsapp::ParseWebhookBody(
      body, [](const std::string& id) { return id.size() % 2 == 0; });
  if (!batch) return 0;
  for (const InboundEvent& event : batch->events) {
    (void)event.DedupeKey();
    (void)event.TextBody();
    auto back = InboundEvent::FromJson(nlohmann::json::parse(event.ToJson().dump()));
    if (!back || back->id != event.id || back->type != event.type ||
        back->customer != event.customer) {
      __builtin_trap();  // an event that does not survive the queue would be lost
    }
  }
  for (const auto& parked : batch->parked) (void)parked.raw.dump();
  return 0;
}
