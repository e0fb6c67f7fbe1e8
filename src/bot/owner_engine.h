#pragma once

#include <string>
#include <vector>

#include "bot/effects.h"
#include "bot/engine.h"
#include "bot/order_parser.h"
#include "common/templates.h"
#include "orders/catalog.h"
#include "orders/order.h"
#include "whatsapp/inbound_message.h"
#include "whatsapp/media_kind.h"

namespace chatshop::bot {

// What an owner's command may see: the shop (as customers see it, for telling them what
// happened) and its open orders.
struct OwnerView {
  const ShopView* shop = nullptr;              // never null; its catalog and parser are the shop's
  ShopOwner owner;                             // who is writing
  std::vector<orders::OrderView> open_orders;  // not delivered or cancelled, newest first
};

// Owner messages are commands (DESIGN.md "Owner side"): Approve · Reject buttons on payment
// notices and the next step's button after each change; typed "orders", "approve 1042",
// "reject 1042 blurry photo", "packed 1042", "out 1042", "delivered 1042", "cancel 1042
// reason", "stock SKU 5", "out of stock tomato", "help". Replies go to the owner in their
// language; order changes are effects whose outcome comes back through OwnerResume. Pure.
std::vector<Effect> OwnerStep(const whatsapp::ClassifiedEvent& event, const OwnerView& view);

// The owner's answer to an outcome, and the customer's notice when an order moved.
std::vector<Effect> OwnerResume(const Outcome& outcome, const OwnerView& view);

// A payment proof as the owners' notice shows it.
struct ProofAttachment {
  std::string media_id;  // uploaded under the shop's number for the owners; empty: not shown
  whatsapp::ProofFileKind kind = whatsapp::ProofFileKind::kJpeg;  // as its first bytes say
};

// The owner's notice of a payment proof: a picture (JPEG, PNG) heads it as an image, a PDF as
// a document, with the order and Approve · Reject buttons; a proof that cannot be shown
// (WebP, which Meta shows only as a sticker; an upload that failed) is named in the text.
// `duplicate_of` names another order the same file paid for (0: none; -1: the file could not
// be fetched, so the owner is asked to check the payment in their UPI app, and `proof` is
// empty).
nlohmann::json PaymentProofNotice(const orders::OrderView& order, const ShopOwner& owner,
                                  const ProofAttachment& proof, int64_t duplicate_of,
                                  const ShopView& shop);

// The customer's answer when the file they sent for `order` is not a picture or a PDF.
nlohmann::json ProofRefusedNotice(const orders::OrderView& order, const ShopView& shop);

// Tells an owner that Meta could not deliver the notice of order `order_number` to
// `customer` (a failed status webhook), with Meta's reason, so they can reach them otherwise.
nlohmann::json NoticeFailedReport(int64_t order_number, const std::string& customer,
                                  const std::string& error, const ShopOwner& owner,
                                  const ShopView& shop);

// A reminder that a payment has waited for review too long.
nlohmann::json ReviewReminder(const orders::OrderView& order, const ShopOwner& owner,
                              const ShopView& shop);

// Templates the owner side uses.
std::vector<std::string> OwnerTemplateNames();

}  // namespace chatshop::bot
