#pragma once
// Inside the customer engine (bot/engine.h): one customer message being answered. Not part of
// the engine's interface; its parts live in customer_replies.cc (replies, commands, help and
// language), cart_flow.cc (the cart, the menu and stock problems) and checkout.cc (checkout,
// payment and what follows an order's effects).

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "bot/cart_edits.h"
#include "bot/engine.h"
#include "bot/reply_ids.h"
#include "bot/wording.h"
#include "whatsapp/inbound_message.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot::customer {

using nlohmann::json;
using Stage = ConversationState::Stage;

// A cart line the shop cannot supply in full.
struct Shortage {
  const orders::Product* product;
  int64_t wanted;
  int64_t available;  // ≥ 0
};

CartLine* FindLine(std::vector<CartLine>& cart, const std::string& sku);
// Adds `qty` of a product (at most kMaxLineQuantity a line, whatever Meta sends).
void AddToCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty);
// Sets a line's quantity (capped likewise); 0 or less removes it.
void SetInCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty);

// Text without surrounding spaces and ! . ? (how commands are compared).
std::string Trimmed(std::string text);
std::string TrimmedSpace(const std::string& text);
// The start of `text`, at most `max_chars` characters, cut after a whole line when one ends in
// its second half (else at a character boundary).
std::string CutAtLine(const std::string& text, size_t max_chars);
std::string Capitalised(std::string text);
// "cancel", "cancel my order", "order cancel kar do", "रद्द करो": only cancel words and filler.
bool IsCancel(const std::string& command);

// One customer message (or one effect's outcome) being answered: the state it started from,
// the state and replies it leads to. Each On… method handles one kind of input.
class Turn {
 public:
  Turn(const ConversationState& state, const whatsapp::Sender& customer, const ShopView& shop)
      : state_(state), customer_(customer), shop_(shop), next_(state) {}

  Transition Run(const whatsapp::InboundMessage& message);
  // After an effect's outcome (see Resume).
  Transition AfterOutcome(const Outcome& outcome);
  // At checkout, with the stock the database found short.
  Transition AfterShortage();
  // How to pay for `order` again, after the owner rejected its proof.
  Transition AskToPayAgain(const orders::OrderView& order);

 private:
  // Replies (customer_replies.cc).
  std::string Say(const std::string& name, json data = json::object()) const;
  void SendText(const std::string& body);
  void SendList(const std::string& body, const std::string& button,
                std::vector<whatsapp::ListSection> sections);
  std::string Notes() const;  // the notes gathered so far, as the start of a reply
  void SendBill(const std::string& preface);
  void SendButtons(const std::string& body, const std::vector<whatsapp::ReplyButton>& buttons);
  Wording WordsFor(const std::string& locale) const;
  // Typed commands that work at every stage: help, cancel, status, menu, greetings, language.
  bool OnCommand(const std::string& command);
  // When `command` names a language: switches to it (if the shop has its templates) and
  // returns true.
  bool SwitchLanguage(const std::string& command);

  // The cart and the menu (cart_flow.cc).
  void SendMenu(size_t offset);
  void SendCategory(const std::string& category, size_t offset);
  void SendIssueChoices(const Shortage& shortage);
  void SendEditList();
  void OnText(const std::string& text, bool replying);
  void OnChoice(const Choice& choice);
  void OnLineChoice(const std::string& sku, const Choice& choice);
  void OnFix(const choice::Fix& fix);
  void OnCatalogOrder(const whatsapp::CatalogOrder& order);
  void OnEdits(const std::vector<CartEdit>& edits);
  // Applies one remove or set edit to the products the parser found in its text.
  bool ApplyEdit(const CartEdit& edit, const ParsedOrder& order);
  // AddToCart and SetInCart within [limits] cart_lines_max: a product that would be a line too
  // many is left out, and named in one "cart full" note. False when left out.
  bool Add(const std::string& sku, int64_t qty);
  bool Set(const std::string& sku, int64_t qty);
  bool RoomFor(const std::string& sku);
  // Adds a typed list's items; returns false when it named nothing at all.
  bool AddTypedList(const std::string& text, bool* was_question);
  void Cancel();
  // After the cart changed: the renewed bill, or the stock problems and a choice per item.
  void Review(bool at_checkout);
  std::vector<Shortage> Shortages();
  // Products the shop stopped selling since they were added leave the cart, with a word.
  void DropUnsold();

  // Checkout and payment (checkout.cc).
  void SendPaymentRequest(const orders::OrderView& order, const std::string& preface);
  void NotifyOwners(const std::string& name, const orders::OrderView& order,
                    const std::vector<std::pair<std::string, std::string>>& buttons);
  // While the latest order waits for payment or for the owner's review.
  bool OrderNeedsPayment() const;
  void OnOrderMessage(const whatsapp::MessageContent& content);

  Transition Done();

  const ConversationState& state_;
  const whatsapp::Sender& customer_;
  const ShopView& shop_;
  ConversationState next_;
  std::vector<Effect> effects_;
  std::vector<std::string> notes_;  // what was done or not understood, said before the reply
  std::vector<Effect> questions_;   // "which one did you mean" lists, sent after the reply
  std::string left_out_;            // products a full cart could not take, for the note
  size_t cart_full_note_ = 0;       // where that note is in notes_
};

}  // namespace chatshop::bot::customer
