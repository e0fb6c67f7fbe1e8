#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace chatshop::bot {

// What an owner's button or list row on an order notice asks for.
enum class OwnerVerb { kApprove, kReject, kPack, kOut, kDeliver, kShow };

// The id of an owner's button or list row: the order, the verb and the order's nonce when the
// notice was made. The nonce changes on every status change of the order, so a button from an
// older notice (approve after a reject, a replayed tap) no longer matches and is refused.
//
// Wire format, version 1 (the "own" prefix; a later version gets a new prefix):
//   own:<verb>:<order id>:<nonce>[:<reason code>]
// with verbs approve, reject, pack, out, deliver, show; the reason code (amount, not_received,
// unclear) only on a reject. At most ~80 bytes: within Meta's 256 (button) and 200 (row) limits.
struct OwnerButton {
  OwnerVerb verb = OwnerVerb::kShow;
  int64_t order_id = 0;
  std::string nonce;        // empty when the id carried none: refused like a stale one
  std::string reason_code;  // reject only; empty: ask for the reason

  bool operator==(const OwnerButton&) const = default;
};

// The id for `button`.
std::string EncodeOwnerButton(const OwnerButton& button);

// The button an id names; nullopt when it is not a version-1 owner button id (another prefix,
// an unknown verb, an order id that is not a number, a reason on anything but reject). A
// missing or empty nonce decodes to an empty one, for the caller to refuse with a clear reply.
std::optional<OwnerButton> DecodeOwnerButton(std::string_view id);

}  // namespace chatshop::bot
