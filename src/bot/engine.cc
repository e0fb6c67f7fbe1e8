#include "bot/engine.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "bot/cart_edits.h"
#include "bot/owner_buttons.h"
#include "bot/text.h"
#include "bot/wording.h"
#include "common/utf8.h"
#include "whatsapp/json_fields.h"
#include "whatsapp/outbound.h"

namespace chatshop::bot {
namespace {

// A list row's title holds 24 characters: a longer product name ("Maggi 2-Minute Noodles 70g
// 4-pack") is shortened there, so the row's description starts with the whole of it — the
// part that tells two packs apart. False when the title shows it all.
nlohmann::json FullNameIfShortened(const std::string& name) {
  if (whatsapp::Shorten(name, whatsapp::kMaxRowTitleChars) == name) return false;
  return name;
}

using nlohmann::json;
using whatsapp::InboundEvent;
using Stage = ConversationState::Stage;

constexpr int64_t kMaxLineQty = 999;

// Words are listed as people type them and compared after the same folding as the message.
std::set<std::string> Folded(std::initializer_list<const char*> words) {
  std::set<std::string> folded;
  for (const char* w : words) folded.insert(FoldText(w));
  return folded;
}

const std::set<std::string>& Greetings() {
  static const std::set<std::string> words =
      Folded({"hi", "hii", "hello", "helo", "hey", "namaste", "namaskar", "start", "hola",
              "good morning", "good evening", "नमस्ते", "नमस्कार"});
  return words;
}

// The words that switch the language, and the locale each selects.
const std::map<std::string, std::string>& LanguageWords() {
  static const std::map<std::string, std::string> words = [] {
    std::map<std::string, std::string> m;
    for (const char* w : {"hindi", "hindi me", "hindi mein", "हिंदी", "हिन्दी", "हिंदी में"}) {
      m[FoldText(w)] = "hi";
    }
    for (const char* w : {"english", "angrezi", "in english", "अंग्रेज़ी", "अंग्रेजी"}) {
      m[FoldText(w)] = "en";
    }
    return m;
  }();
  return words;
}

// "cancel", "cancel my order", "order cancel kar do", "रद्द करो": only cancel words and filler.
bool IsCancel(const std::string& command) {
  static const std::set<std::string> kCancel = Folded({"cancel", "radd", "रद्द"});
  static const std::set<std::string> kFiller =
      Folded({"my", "the", "order", "cart", "please", "pls", "kar", "do", "karo", "kardo", "dijiye",
              "it", "all", "करो", "कर", "दो", "ऑर्डर"});
  bool cancel = false;
  std::string word;
  for (char c : command + " ") {
    if (c != ' ') {
      word += c;
      continue;
    }
    if (word.empty()) continue;
    if (kCancel.count(word)) {
      cancel = true;
    } else if (!kFiller.count(word)) {
      return false;
    }
    word.clear();
  }
  return cancel;
}

std::string Trimmed(std::string text) {
  const auto first = text.find_first_not_of(" \t\r\n!.?");
  if (first == std::string::npos) return "";
  const auto last = text.find_last_not_of(" \t\r\n!.?");
  return text.substr(first, last - first + 1);
}

std::string TrimmedSpace(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return "";
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// The start of `text`, at most `max_chars` characters, cut after a whole line when one ends in
// its second half (else at a character boundary).
std::string CutAtLine(const std::string& text, size_t max_chars) {
  std::string cut = common::TruncateUtf8(text, max_chars);
  const size_t bytes = cut.size();
  if (bytes < text.size()) {
    const size_t line = cut.rfind('\n');
    if (line != std::string::npos && line > cut.size() / 2) cut.resize(line);
  }
  return cut;
}

std::string Capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

CartLine* FindLine(std::vector<CartLine>& cart, const std::string& sku) {
  for (auto& line : cart) {
    if (line.sku == sku) return &line;
  }
  return nullptr;
}

void AddToCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty) {
  qty = std::clamp<int64_t>(qty, 0, kMaxLineQty);  // never overflows, whatever Meta sends
  if (qty == 0) return;
  if (CartLine* line = FindLine(cart, sku)) {
    line->qty = std::min(kMaxLineQty, line->qty + qty);
  } else {
    cart.push_back({sku, std::min(kMaxLineQty, qty)});
  }
}

void SetInCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty) {
  if (qty <= 0) {
    std::erase_if(cart, [&](const CartLine& line) { return line.sku == sku; });
  } else if (CartLine* line = FindLine(cart, sku)) {
    line->qty = std::min(kMaxLineQty, qty);
  } else {
    cart.push_back({sku, std::min(kMaxLineQty, qty)});
  }
}

// A cart line the shop cannot supply in full.
struct Shortage {
  const orders::Product* product;
  int64_t wanted;
  int64_t available;  // ≥ 0
};

// The words of a product name that say what it is ("maggi", "noodles"), not sizes or counts.
std::set<std::string> NameWords(const std::string& name) {
  std::set<std::string> words;
  for (const auto& token : Tokenize(FoldText(name))) {
    if (token.size() >= 3 && !std::isdigit(static_cast<unsigned char>(token[0]))) {
      words.insert(token);
    }
  }
  return words;
}

// Up to three products of the same category the shop can supply instead of `wanted` packs of
// `product`: those with enough stock first, then those sharing most name words (the same brand
// or kind, as a shopkeeper would offer), then the closest in price.
std::vector<const orders::Product*> Alternatives(const orders::Product& product, int64_t wanted,
                                                 const orders::Catalog& catalog) {
  const std::set<std::string> words = NameWords(product.name);
  struct Candidate {
    const orders::Product* product;
    bool enough;
    size_t shared;
    int64_t price_gap;
  };
  std::vector<Candidate> found;
  for (const auto& p : catalog.products) {
    if (p.category != product.category || p.sku == product.sku || p.stock <= 0) continue;
    size_t shared = 0;
    for (const auto& w : NameWords(p.name)) shared += words.count(w);
    found.push_back(
        {&p, p.stock >= wanted, shared, std::llabs(p.price.minor - product.price.minor)});
  }
  std::stable_sort(found.begin(), found.end(), [](const Candidate& a, const Candidate& b) {
    if (a.enough != b.enough) return a.enough;
    if (a.shared != b.shared) return a.shared > b.shared;
    return a.price_gap < b.price_gap;
  });
  std::vector<const orders::Product*> best;
  for (size_t i = 0; i < found.size() && i < 3; ++i) best.push_back(found[i].product);
  return best;
}

// One customer message being answered: the state it started from, the state and replies it
// leads to. Each On… method handles one kind of input.
class Turn {
 public:
  Turn(const ConversationState& state, const InboundEvent& event, const ShopView& shop)
      : state_(state), event_(event), shop_(shop), next_(state) {}

  Transition Run();
  // After an effect's outcome (see Resume).
  Transition AfterOutcome(const Outcome& outcome);
  // At checkout, with the stock the database found short.
  Transition AfterShortage();

 private:
  // Replies.
  std::string Say(const std::string& name, json data = json::object()) const;
  void SendText(const std::string& body);
  void SendList(const std::string& body, const std::string& button,
                std::vector<whatsapp::ListSection> sections);
  std::string Notes() const;  // the notes gathered so far, as the start of a reply
  void SendBill(const std::string& preface);
  void SendMenu(size_t offset);
  void SendCategory(const std::string& category, size_t offset);
  void SendIssueChoices(const Shortage& shortage);
  void SendButtons(const std::string& body, const std::vector<whatsapp::ReplyButton>& buttons);
  void SendPaymentRequest(const orders::OrderView& order, const std::string& preface);
  void NotifyOwners(const std::string& name, const orders::OrderView& order,
                    const std::vector<std::pair<std::string, std::string>>& buttons);
  Wording WordsFor(const std::string& locale) const;

  // While the latest order waits for payment or for the owner's review.
  bool OrderNeedsPayment() const;
  void OnOrderMessage();

  // Inputs.
  void OnText(const std::string& text);
  bool OnCommand(const std::string& command);
  void OnChoice(const std::string& id);
  void OnFix(const std::string& action, const std::string& sku, const std::string& alternative);
  void OnCatalogOrder(const json& order);
  void OnEdits(const std::vector<CartEdit>& edits);
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

  const ConversationState& state_;
  const InboundEvent& event_;
  const ShopView& shop_;
  ConversationState next_;
  std::vector<Effect> effects_;
  std::vector<std::string> notes_;  // what was done or not understood, said before the reply
  std::vector<Effect> questions_;   // "which one did you mean" lists, sent after the reply
  std::string left_out_;            // products a full cart could not take, for the note
  size_t cart_full_note_ = 0;       // where that note is in notes_
};

std::string Turn::Say(const std::string& name, json data) const {
  data["shop"] = shop_.name;
  // Mustache takes "" as true: no name is false, so "Namaste{{#customer}} …" reads "Namaste!".
  if (!data.contains("customer")) {
    data["customer"] = event_.customer_name.empty() ? json(false) : json(event_.customer_name);
  }
  return shop_.templates->Render(ReplyLocale(next_, shop_), name, data, shop_.overrides);
}

void Turn::SendText(const std::string& body) {
  // A text over Meta's limit (a very long bill) goes as several messages, at most
  // [limits] text_messages_per_answer_max of them: the last one kept is shortened and says so.
  std::vector<json> parts = whatsapp::BuildTextMessages(event_.customer, body);
  const size_t most = std::max<size_t>(1, shop_.limits.text_messages_per_answer_max);
  if (parts.size() > most) {
    parts.resize(most);
    const std::string note = Say("limit_text_shortened");
    const std::string kept = parts.back()["text"]["body"].get<std::string>();
    const size_t room = whatsapp::kMaxTextBodyChars -
                        std::min(whatsapp::kMaxTextBodyChars / 2, common::CountUtf8Chars(note) + 1);
    parts.back() = whatsapp::BuildTextMessage(event_.customer, CutAtLine(kept, room) + "\n" + note);
  }
  for (auto& part : parts) effects_.push_back(SendReply{std::move(part)});
}

bool Turn::RoomFor(const std::string& sku) {
  if (FindLine(next_.cart, sku) != nullptr || next_.cart.size() < shop_.limits.cart_lines_max) {
    return true;
  }
  const orders::Product* p = shop_.catalog->Find(sku);
  const std::string name = p != nullptr ? p->name : sku;
  if (left_out_.empty()) {
    cart_full_note_ = notes_.size();
    notes_.emplace_back();
  }
  left_out_ += (left_out_.empty() ? "" : ", ") + name;
  notes_[cart_full_note_] =
      Say("limit_cart_full", {{"max", shop_.limits.cart_lines_max}, {"names", left_out_}});
  return false;
}

bool Turn::Add(const std::string& sku, int64_t qty) {
  if (qty > 0 && !RoomFor(sku)) return false;
  AddToCart(next_.cart, sku, qty);
  return true;
}

bool Turn::Set(const std::string& sku, int64_t qty) {
  if (qty > 0 && !RoomFor(sku)) return false;
  SetInCart(next_.cart, sku, qty);
  return true;
}

void Turn::SendList(const std::string& body, const std::string& button,
                    std::vector<whatsapp::ListSection> sections) {
  effects_.push_back(
      SendReply{whatsapp::BuildListMessage(event_.customer, body, button, sections)});
}

std::string Turn::Notes() const {
  std::string text;
  for (const auto& note : notes_) text += note + "\n";
  return text.empty() ? "" : text + "\n";
}

void Turn::SendButtons(const std::string& body, const std::vector<whatsapp::ReplyButton>& buttons) {
  if (common::CountUtf8Chars(body) <= whatsapp::kMaxInteractiveBodyChars) {
    effects_.push_back(SendReply{whatsapp::BuildButtonsMessage(event_.customer, body, buttons)});
    return;
  }
  // Too long for an interactive body (1,024 characters): the text goes as a text message
  // (4,096) and the buttons follow under its last line (the total, for a bill).
  SendText(body);
  effects_.push_back(SendReply{
      whatsapp::BuildButtonsMessage(event_.customer, body.substr(body.rfind('\n') + 1), buttons)});
}

void Turn::DropUnsold() {
  const size_t before = next_.cart.size();
  std::erase_if(next_.cart,
                [&](const CartLine& line) { return shop_.catalog->Find(line.sku) == nullptr; });
  if (next_.cart.size() != before) notes_.push_back(Say("no_longer_sold"));
}

void Turn::SendBill(const std::string& preface) {
  if (next_.cart.empty()) {
    SendText(preface + Say("cart_empty") + " " + Say("try_list"));
    return;
  }
  SendButtons(preface + RenderBill(next_.cart, shop_, ReplyLocale(next_, shop_)),
              {{"cart:checkout", Say("button_checkout")},
               {"cart:edit", Say("button_edit")},
               {"cart:cancel", Say("button_cancel")}});
}

Wording Turn::WordsFor(const std::string& locale) const {
  return Wording(*shop_.templates, shop_.overrides,
                 shop_.templates->HasLocale(locale) ? locale : ReplyLocale(next_, shop_),
                 shop_.name);
}

// The order, how to pay (UPI link; cash on delivery where allowed) and how long it is held.
void Turn::SendPaymentRequest(const orders::OrderView& order, const std::string& preface) {
  const Wording words = WordsFor(ReplyLocale(next_, shop_));
  const bool upi = !shop_.payment.upi_vpa.empty();
  const bool cod = shop_.payment.cod_allowed;
  std::string body =
      preface + Say("payment_request",
                    {{"number", order.number},
                     {"summary", words.OrderSummary(order)},
                     {"minutes", shop_.reservation_minutes},
                     {"upi_link", upi ? json(orders::UpiPaymentLink(shop_.payment.upi_vpa,
                                                                    shop_.payment.payee_name.empty()
                                                                        ? shop_.name
                                                                        : shop_.payment.payee_name,
                                                                    order.total, order.number))
                                      : json(false)},
                     {"cod", cod}});
  std::vector<whatsapp::ReplyButton> buttons;
  if (cod) buttons.push_back({"pay:cod", Say("button_cod")});
  buttons.push_back({"order:cancel", Say("button_cancel_order")});
  SendButtons(body, buttons);
}

// Owners hear of what customers do to orders (cash on delivery chosen, an order cancelled),
// each in their own language, with the next step as a button.
void Turn::NotifyOwners(const std::string& name, const orders::OrderView& order,
                        const std::vector<std::pair<std::string, std::string>>& buttons) {
  for (const auto& owner : shop_.owners) {
    const Wording words = WordsFor(owner.locale);
    const std::string body = words.Say(name, {{"number", order.number},
                                              {"customer", "+" + order.customer},
                                              {"summary", words.OrderSummary(order)}});
    std::vector<whatsapp::ReplyButton> owner_buttons;
    for (const auto& [id, label] : buttons) owner_buttons.push_back({id, words.Say(label)});
    nlohmann::json payload = owner_buttons.empty() ? TextTo(owner.phone, body)
                                                   : ButtonsTo(owner.phone, body, owner_buttons);
    effects_.emplace_back(std::in_place_type<SendReply>, SendReply{std::move(payload)});
  }
}

bool Turn::OrderNeedsPayment() const {
  return shop_.order != nullptr && shop_.order->id == state_.order_id &&
         (shop_.order->status == orders::OrderStatus::kAwaitingPayment ||
          shop_.order->status == orders::OrderStatus::kPaymentReview);
}

// Messages while the order waits for payment: cancel, cash on delivery, a screenshot, or a
// reminder of what is expected. Everything else waits until the order is paid or cancelled.
void Turn::OnOrderMessage() {
  const orders::OrderView& order = *shop_.order;
  const bool awaiting = order.status == orders::OrderStatus::kAwaitingPayment;
  const json& data = event_.data;
  std::string choice;
  if (event_.type == "interactive") {
    const std::string subtype = whatsapp::StringField(data, "type");
    choice = whatsapp::StringField(whatsapp::ObjectField(data, subtype.c_str()), "id");
  }
  const std::string command = event_.type == "text"
                                  ? Trimmed(FoldText(whatsapp::StringField(data, "body")))
                                  : std::string();
  static const std::set<std::string> kCod =
      Folded({"cod", "cash", "cash on delivery", "nakad", "नकद"});

  if (IsCancel(command) || choice == "order:cancel" || choice == "cart:cancel") {
    effects_.push_back(ChangeOrder{order.id, 0, "", orders::OrderAction::kCancel,
                                   orders::Actor::kCustomer, "cancelled by the customer"});
  } else if (awaiting && shop_.payment.cod_allowed &&
             (kCod.count(command) || choice == "pay:cod")) {
    effects_.push_back(ChangeOrder{order.id, 0, "", orders::OrderAction::kChooseCod,
                                   orders::Actor::kCustomer, ""});
  } else if (event_.type == "image" || event_.type == "document") {
    const std::string media_id = whatsapp::StringField(data, "id");
    if (media_id.empty()) return SendText(Say("unsupported"));
    effects_.push_back(RecordProof{order.id, media_id, whatsapp::StringField(data, "mime_type"),
                                   shop_.limits.proofs_per_order_max});
  } else if (command == "help") {
    SendText(Say("help_payment", {{"number", order.number}}));
  } else if (auto language = LanguageWords().find(command); language != LanguageWords().end()) {
    if (shop_.templates->HasLocale(language->second)) next_.locale = language->second;
    if (awaiting) return SendPaymentRequest(order, Say("language_set") + "\n\n");
    SendText(Say("language_set") + "\n" + Say("review_pending", {{"number", order.number}}));
  } else if (awaiting) {
    SendPaymentRequest(order, Say("awaiting_payment_hint", {{"number", order.number}}) + "\n\n");
  } else {
    SendText(Say("review_pending", {{"number", order.number}}));
  }
}

// Categories in catalog order, ten rows at most: nine and "More…" when there are more.
void Turn::SendMenu(size_t offset) {
  std::vector<std::string> categories;
  for (const auto& p : shop_.catalog->products) {
    if (std::find(categories.begin(), categories.end(), p.category) == categories.end()) {
      categories.push_back(p.category);
    }
  }
  whatsapp::ListSection section{Say("menu_section"), {}};
  for (size_t i = offset; i < categories.size(); ++i) {
    if (section.rows.size() == whatsapp::kMaxListRows - 1 && i + 1 < categories.size()) {
      section.rows.push_back({"cats:" + std::to_string(i), Say("more_row"), ""});
      break;
    }
    section.rows.push_back({"cat:0:" + categories[i], Capitalised(categories[i]), ""});
  }
  const std::string body = Notes() + Say("welcome");
  if (section.rows.empty()) return SendText(body + "\n" + Say("try_list"));
  SendList(body, Say("menu_button"), {section});
}

void Turn::SendCategory(const std::string& category, size_t offset) {
  std::vector<const orders::Product*> products;
  for (const auto& p : shop_.catalog->products) {
    if (p.category == category) products.push_back(&p);
  }
  if (offset >= products.size()) return SendMenu(0);
  whatsapp::ListSection section{Capitalised(category), {}};
  for (size_t i = offset; i < products.size(); ++i) {
    if (section.rows.size() == whatsapp::kMaxListRows - 1 && i + 1 < products.size()) {
      section.rows.push_back({"cat:" + std::to_string(i) + ":" + category, Say("more_row"), ""});
      break;
    }
    const auto& p = *products[i];
    section.rows.push_back({"add:" + p.sku + ":1", p.name,
                            Say("product_row", {{"price", p.price.ToRupeeText()},
                                                {"out_of_stock", p.stock <= 0},
                                                {"full_name", FullNameIfShortened(p.name)}})});
  }
  SendList(Say("category_prompt", {{"category", Capitalised(category)}}), Say("category_button"),
           {section});
}

// Replace (up to three alternatives) · Reduce to what is available · Remove · Cancel order,
// as one list: three reply buttons could not hold them.
void Turn::SendIssueChoices(const Shortage& s) {
  const std::string& sku = s.product->sku;
  whatsapp::ListSection section{Say("issue_section"), {}};
  for (const auto* alternative : Alternatives(*s.product, s.wanted, *shop_.catalog)) {
    section.rows.push_back(
        {"fix:swap:" + sku + ":" + alternative->sku, alternative->name,
         Say("issue_replace_row", {{"price", alternative->price.ToRupeeText()},
                                   {"full_name", FullNameIfShortened(alternative->name)}})});
  }
  if (s.available > 0) {
    section.rows.push_back(
        {"fix:reduce:" + sku, Say("issue_reduce_row", {{"available", s.available}}), ""});
  }
  section.rows.push_back({"fix:remove:" + sku, Say("issue_remove_row"), s.product->name});
  section.rows.push_back({"order:cancel", Say("issue_cancel_row"), ""});
  // Mustache would take a 0 as "some available": none is passed as false.
  SendList(Say("issue_prompt", {{"name", s.product->name},
                                {"available", s.available > 0 ? json(s.available) : json(false)}}),
           Say("issue_button"), {section});
}

std::vector<Shortage> Turn::Shortages() {
  std::vector<Shortage> found;
  for (const auto& line : next_.cart) {
    const orders::Product* p = shop_.catalog->Find(line.sku);
    if (p != nullptr && p->stock < line.qty) {
      found.push_back({p, line.qty, std::max<int64_t>(0, p->stock)});
    }
  }
  return found;
}

void Turn::Review(bool at_checkout) {
  DropUnsold();

  const std::vector<Shortage> shortages = Shortages();
  if (shortages.empty()) {
    next_.issues.clear();
    next_.stage = next_.cart.empty() ? Stage::kIdle : Stage::kCart;
    if (at_checkout && !next_.cart.empty()) {
      // The stock as this view saw it suffices; the database decides for sure (Resume).
      effects_.push_back(PlaceOrder{next_.cart});
      return;
    }
    SendBill(Notes());
    return;
  }

  // Choices already sent and still open are only recalled; new shortages (and all of them at
  // checkout, when stock may have moved) get their own choice list.
  std::vector<const Shortage*> fresh;
  std::string pending;
  for (const auto& s : shortages) {
    const bool offered = std::find(state_.issues.begin(), state_.issues.end(), s.product->sku) !=
                         state_.issues.end();
    if (at_checkout || !offered || state_.stage != Stage::kIssues) {
      fresh.push_back(&s);
    } else {
      pending += (pending.empty() ? "" : ", ") + s.product->name;
    }
  }
  std::string text = Notes();
  if (!fresh.empty()) {
    text += Say(at_checkout ? "checkout_issues_intro" : "stock_issues_intro") + "\n";
    for (const auto* s : fresh) {
      text += "• " +
              Say("stock_short", {{"name", s->product->name},
                                  {"out_of_stock", s->available == 0},
                                  {"available", s->available},
                                  {"wanted", s->wanted}}) +
              "\n";
    }
  }
  if (!pending.empty()) text += Say("issues_pending", {{"names", pending}});
  SendText(TrimmedSpace(text));
  for (const auto* s : fresh) SendIssueChoices(*s);

  next_.stage = Stage::kIssues;
  next_.issues.clear();
  for (const auto& s : shortages) next_.issues.push_back(s.product->sku);
}

void Turn::Cancel() {
  next_ = ConversationState{};
  next_.locale = state_.locale;
  SendText(Say("cancelled"));
}

bool Turn::OnCommand(const std::string& command) {
  static const std::set<std::string> kHelp = Folded({"help", "madad", "मदद"});
  if (kHelp.count(command)) {
    SendText(Say("help"));
  } else if (IsCancel(command)) {
    Cancel();
  } else if (command == "status" || command == "cart" || command == "bill") {
    if (shop_.order != nullptr && shop_.order->id == state_.order_id &&
        !orders::IsFinal(shop_.order->status)) {
      const Wording words = WordsFor(ReplyLocale(next_, shop_));
      notes_.push_back(Say("order_status", {{"number", shop_.order->number},
                                            {"status", words.StatusWords(shop_.order->status)}}));
    }
    if (next_.stage == Stage::kIssues) {
      Review(false);
    } else {
      DropUnsold();
      if (next_.cart.empty()) next_.stage = Stage::kIdle;
      SendBill(Notes());
    }
  } else if (command == "menu" || Greetings().count(command)) {
    if (next_.cart.empty()) next_.stage = Stage::kMenu;
    SendMenu(0);
  } else if (auto language = LanguageWords().find(command); language != LanguageWords().end()) {
    if (shop_.templates->HasLocale(language->second)) next_.locale = language->second;
    if (next_.cart.empty()) {
      SendText(Say("language_set") + "\n" + Say("try_list"));
    } else {
      SendBill(Say("language_set") + "\n\n");
    }
  } else {
    return false;
  }
  return true;
}

bool Turn::AddTypedList(const std::string& text, bool* was_question) {
  ParsedOrder order = shop_.parser->Parse(text);
  for (const auto& item : order.items) Add(item.sku, item.qty);
  for (const auto& u : order.unmatched) notes_.push_back(Say("unmatched", {{"text", u}}));
  for (const auto& a : order.ambiguous) {
    whatsapp::ListSection section{Say("ambiguous_section"), {}};
    for (const auto& sku : a.candidates) {
      if (const orders::Product* p = shop_.catalog->Find(sku)) {
        section.rows.push_back({"add:" + sku + ":1", p->name, p->price.ToRupeeText()});
      }
    }
    questions_.push_back(
        SendReply{whatsapp::BuildListMessage(event_.customer, Say("ambiguous", {{"text", a.text}}),
                                             Say("ambiguous_button"), {section})});
  }
  if (was_question != nullptr) *was_question = order.question;
  return !order.items.empty();
}

void Turn::OnEdits(const std::vector<CartEdit>& edits) {
  bool changed = false;
  for (const auto& edit : edits) {
    if (edit.op == CartEdit::Op::kAdd) {
      changed |= AddTypedList(edit.text, nullptr);
      continue;
    }
    ParsedOrder order = shop_.parser->Parse(edit.text);
    // A word that names several products means the one in the cart, if only one is.
    for (const auto& a : order.ambiguous) {
      std::vector<std::string> in_cart;
      for (const auto& sku : a.candidates) {
        if (FindLine(next_.cart, sku) != nullptr) in_cart.push_back(sku);
      }
      if (in_cart.size() == 1) {
        order.items.push_back({in_cart[0], edit.qty.value_or(1)});
      } else if (in_cart.empty()) {
        notes_.push_back(Say("not_in_cart", {{"text", a.text}}));
      } else {
        // Several lines match: let the customer pick the line to change.
        whatsapp::ListSection section{Say("edit_button"), {}};
        for (const auto& sku : in_cart) {
          if (const orders::Product* p = shop_.catalog->Find(sku)) {
            section.rows.push_back({"edit:" + sku, p->name, p->price.ToRupeeText()});
          }
        }
        questions_.push_back(SendReply{
            whatsapp::BuildListMessage(event_.customer, Say("ambiguous", {{"text", a.text}}),
                                       Say("ambiguous_button"), {section})});
      }
    }
    for (const auto& u : order.unmatched) notes_.push_back(Say("unmatched", {{"text", u}}));
    for (const auto& item : order.items) {
      const orders::Product* p = shop_.catalog->Find(item.sku);
      const std::string name = p != nullptr ? p->name : item.sku;
      const bool in_cart = FindLine(next_.cart, item.sku) != nullptr;
      if (edit.op == CartEdit::Op::kRemove || (edit.qty && *edit.qty == 0)) {
        if (!in_cart) {
          notes_.push_back(Say("not_in_cart", {{"text", name}}));
          continue;
        }
        const int64_t had = FindLine(next_.cart, item.sku)->qty;
        if (edit.qty && *edit.qty > 0 && item.qty < had) {
          // "remove 2 maggi" takes two away.
          SetInCart(next_.cart, item.sku, had - item.qty);
          notes_.push_back(Say("fixed_reduced", {{"name", name}, {"qty", had - item.qty}}));
        } else {
          SetInCart(next_.cart, item.sku, 0);
          notes_.push_back(Say("fixed_removed", {{"name", name}}));
        }
      } else {
        // The parser's quantity: it knows "coke 750 ml 2" is two bottles.
        const int64_t qty = std::min(kMaxLineQty, item.qty);
        if (!Set(item.sku, qty)) continue;
        notes_.push_back(Say("fixed_reduced", {{"name", name}, {"qty", qty}}));
      }
      changed = true;
    }
  }
  if (changed) {
    Review(false);
  } else if (!questions_.empty()) {
    if (!notes_.empty()) SendText(TrimmedSpace(Notes()));  // the lists to pick from follow
  } else {
    SendText(Notes() + Say("not_understood") + " " + Say("try_list"));
  }
}

void Turn::OnText(const std::string& text) {
  // Nothing longer than [limits] message_chars_max reaches the parser: its time is bounded.
  if (const size_t chars = common::CountUtf8Chars(text); chars > shop_.limits.message_chars_max) {
    return SendText(
        Say("limit_message_too_long", {{"chars", chars}, {"max", shop_.limits.message_chars_max}}));
  }
  const std::string command = Trimmed(FoldText(text));
  if (OnCommand(command)) return;

  // A reply quoting one of our messages (the bill, usually) while there is a cart means "these
  // are the new quantities".
  const json& context = whatsapp::ObjectField(event_.raw, "context");
  const bool quoting = !whatsapp::StringField(context, "id").empty() && !next_.cart.empty();
  const std::vector<CartEdit> edits = ParseCartEdits(text, quoting);
  if (!edits.empty()) return OnEdits(edits);

  bool question = false;
  if (AddTypedList(text, &question)) return Review(false);
  if (!questions_.empty()) {
    if (!notes_.empty()) SendText(TrimmedSpace(Notes()));
    return;
  }
  SendText(Notes() + Say(question ? "question" : "not_understood") + " " + Say("try_list"));
}

void Turn::OnFix(const std::string& action, const std::string& sku,
                 const std::string& alternative) {
  CartLine* line = FindLine(next_.cart, sku);
  const orders::Product* product = shop_.catalog->Find(sku);
  if (line != nullptr && product != nullptr) {
    if (action == "swap") {
      if (const orders::Product* replacement = shop_.catalog->Find(alternative)) {
        const int64_t qty = line->qty;
        SetInCart(next_.cart, sku, 0);
        AddToCart(next_.cart, replacement->sku, qty);
        notes_.push_back(
            Say("fixed_replaced", {{"old", product->name}, {"new", replacement->name}}));
      }
    } else if (action == "reduce") {
      const int64_t qty = std::max<int64_t>(0, std::min(line->qty, product->stock));
      SetInCart(next_.cart, sku, qty);
      notes_.push_back(qty == 0 ? Say("fixed_removed", {{"name", product->name}})
                                : Say("fixed_reduced", {{"name", product->name}, {"qty", qty}}));
    } else if (action == "remove") {
      SetInCart(next_.cart, sku, 0);
      notes_.push_back(Say("fixed_removed", {{"name", product->name}}));
    }
  }
  Review(false);
}

void Turn::OnChoice(const std::string& id) {
  // Ids are "<verb>:<fields>"; SKUs cannot contain ':' (catalog import refuses them).
  std::vector<std::string> parts;
  for (size_t start = 0;;) {
    const size_t colon = id.find(':', start);
    parts.push_back(id.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  const std::string& verb = parts[0];
  auto part = [&](size_t i) { return i < parts.size() ? parts[i] : std::string(); };

  if (id == "cart:cancel" || id == "order:cancel") return Cancel();
  if (id == "cart:checkout") {
    if (next_.cart.empty()) return SendBill("");
    return Review(true);
  }
  if (id == "cart:edit") {
    DropUnsold();
    if (next_.cart.empty()) return SendBill(Notes());
    whatsapp::ListSection section{Say("edit_button"), {}};
    for (const auto& line : next_.cart) {
      const orders::Product* p = shop_.catalog->Find(line.sku);
      if (p == nullptr || section.rows.size() == whatsapp::kMaxListRows) continue;
      section.rows.push_back(
          {"edit:" + line.sku, p->name,
           Say("edit_row", {{"qty", line.qty}, {"price", p->price.ToRupeeText()}})});
    }
    return SendList(Say("edit_prompt"), Say("edit_button"), {section});
  }
  if (verb == "cats") return SendMenu(std::strtoull(part(1).c_str(), nullptr, 10));
  if (verb == "cat") {
    // "cat:<offset>:<category>"; the category may itself contain ':'.
    if (parts.size() < 2) return SendMenu(0);
    const size_t second = id.find(':', 4);
    if (second == std::string::npos) return SendCategory(id.substr(4), 0);
    return SendCategory(id.substr(second + 1), std::strtoull(part(1).c_str(), nullptr, 10));
  }
  if (verb == "add" || verb == "qty" || verb == "rm" || verb == "edit") {
    const std::string sku = part(1);
    const orders::Product* p = shop_.catalog->Find(sku);
    if (p == nullptr) return SendText(Say("no_longer_sold"));
    if (verb == "edit") {
      const CartLine* line = FindLine(next_.cart, sku);
      if (line == nullptr) return SendBill("");
      effects_.push_back(SendReply{whatsapp::BuildButtonsMessage(
          event_.customer,
          Say("edit_line",
              {{"name", p->name}, {"qty", line->qty}, {"price", p->price.ToRupeeText()}}),
          {{"qty:" + sku + ":1", Say("button_plus")},
           {"qty:" + sku + ":-1", Say("button_minus")},
           {"rm:" + sku, Say("button_remove")}})});
      return;
    }
    if (verb == "rm") {
      SetInCart(next_.cart, sku, 0);
      notes_.push_back(Say("fixed_removed", {{"name", p->name}}));
    } else {
      const int64_t delta =
          std::clamp<int64_t>(std::atoll(part(2).c_str()), -kMaxLineQty, kMaxLineQty);
      if (verb == "add") {
        Add(sku, std::max<int64_t>(1, delta));
      } else {
        const CartLine* line = FindLine(next_.cart, sku);
        Set(sku, (line != nullptr ? line->qty : 0) + delta);
      }
    }
    return Review(false);
  }
  if (verb == "fix") return OnFix(part(1), part(2), part(3));
  SendText(Say("help"));
}

void Turn::OnCatalogOrder(const json& order) {
  bool added = false;
  if (order.is_object() && order.contains("product_items") && order["product_items"].is_array()) {
    for (const auto& item : order["product_items"]) {
      const std::string sku = whatsapp::StringField(item, "product_retailer_id");
      const int64_t qty = whatsapp::IntField(item, "quantity", 1);
      if (shop_.catalog->Find(sku) != nullptr && qty > 0) {
        Add(sku, qty);  // a full cart's note is shown with the bill
        added = true;
      } else {
        notes_.push_back(Say("unmatched", {{"text", sku}}));
      }
    }
  }
  if (added) return Review(false);
  SendText(Notes() + Say("try_list"));
}

Transition Turn::Run() {
  if (event_.kind != InboundEvent::Kind::kMessage) return {state_, {}};
  // An order that is over (or gone) no longer shapes the conversation.
  if (state_.order_id != 0 && (shop_.order == nullptr || shop_.order->id != state_.order_id ||
                               orders::IsFinal(shop_.order->status))) {
    next_.order_id = 0;
  }
  const json& data = event_.data;
  if (OrderNeedsPayment()) {
    OnOrderMessage();
  } else if (event_.type == "text") {
    OnText(whatsapp::StringField(data, "body"));
  } else if (event_.type == "interactive" &&
             !whatsapp::StringField(
                  whatsapp::ObjectField(data, whatsapp::StringField(data, "type").c_str()), "id")
                  .empty()) {
    const std::string subtype = whatsapp::StringField(data, "type");
    OnChoice(whatsapp::StringField(whatsapp::ObjectField(data, subtype.c_str()), "id"));
  } else if (event_.type == "button") {  // a template's quick reply
    OnText(whatsapp::StringField(data, "text"));
  } else if (event_.type == "order") {  // a cart from the WhatsApp catalog
    OnCatalogOrder(data);
  } else {
    // Stickers, voice notes, photos, locations, unsupported types: a short, useful answer.
    SendText(Say("unsupported"));
  }
  for (auto& question : questions_) effects_.push_back(std::move(question));
  return {std::move(next_), std::move(effects_)};
}

Transition Turn::AfterShortage() {
  Review(true);
  return {std::move(next_), std::move(effects_)};
}

Transition Turn::AfterOutcome(const Outcome& outcome) {
  using orders::OrderStatus;
  if (const auto* placed = std::get_if<OrderPlaced>(&outcome)) {
    next_.order_id = placed->order.id;
    next_.cart.clear();
    next_.issues.clear();
    next_.stage = Stage::kIdle;
    SendPaymentRequest(placed->order, "");
  } else if (const auto* changed = std::get_if<OrderChanged>(&outcome)) {
    const orders::OrderView& order = changed->order;
    if (order.status == OrderStatus::kCancelled) {
      next_.order_id = 0;
      SendText(Say("order_cancelled", {{"number", order.number}}) + "\n" + Say("try_list"));
      NotifyOwners("owner_cancelled_by_customer", order, {});
    } else if (order.status == OrderStatus::kConfirmed) {
      SendText(
          Say("cod_confirmed", {{"number", order.number}, {"total", order.total.ToRupeeText()}}));
      NotifyOwners("owner_new_cod", order,
                   {{EncodeOwnerButton({OwnerVerb::kPack, order.id, order.nonce, ""}),
                     "owner_button_packed"}});
    } else if (order.status == OrderStatus::kPaymentReview) {
      SendText(Say("proof_received", {{"number", order.number}}));
    } else {
      SendText(Say("order_status",
                   {{"number", order.number},
                    {"status", WordsFor(ReplyLocale(next_, shop_)).StatusWords(order.status)}}));
    }
  } else if (const auto* over = std::get_if<HoldLimitReached>(&outcome)) {
    // Nothing was reserved; the cart stays, to be made smaller or checked out later.
    SendBill(Say("limit_hold", {{"units_held", over->units_held},
                                {"value_held", over->value_held.ToRupeeText()},
                                {"units_max", over->units_max},
                                {"value_max", over->value_max.ToRupeeText()}}) +
             "\n\n");
  } else if (const auto* proofs = std::get_if<ProofLimitReached>(&outcome)) {
    const int64_t number =
        shop_.order != nullptr && shop_.order->id == proofs->order_id ? shop_.order->number : 0;
    SendText(Say("limit_proofs", {{"number", number}, {"max", proofs->max_per_order}}));
  } else if (const auto* unchanged = std::get_if<OrderUnchanged>(&outcome)) {
    if (!unchanged->order) {
      next_.order_id = 0;
      SendText(Say("not_understood") + " " + Say("try_list"));
    } else {
      const Wording words = WordsFor(ReplyLocale(next_, shop_));
      SendText(
          Say("order_change_refused", {{"number", unchanged->order->number},
                                       {"status", words.StatusWords(unchanged->order->status)}}));
    }
  } else {
    SendText(Say("help"));  // no customer effect leads here; never leave the customer unanswered
  }
  return {std::move(next_), std::move(effects_)};
}

}  // namespace

const std::vector<std::string>& EngineTemplateNames() {
  static const std::vector<std::string> names = {"welcome",
                                                 "menu_button",
                                                 "menu_section",
                                                 "category_prompt",
                                                 "category_button",
                                                 "more_row",
                                                 "product_row",
                                                 "help",
                                                 "cancelled",
                                                 "cart_empty",
                                                 "try_list",
                                                 "bill",
                                                 "button_checkout",
                                                 "button_edit",
                                                 "button_cancel",
                                                 "unmatched",
                                                 "ambiguous",
                                                 "ambiguous_button",
                                                 "ambiguous_section",
                                                 "not_understood",
                                                 "question",
                                                 "unsupported",
                                                 "stock_short",
                                                 "stock_issues_intro",
                                                 "checkout_issues_intro",
                                                 "issue_prompt",
                                                 "issue_button",
                                                 "issue_section",
                                                 "issue_replace_row",
                                                 "issue_reduce_row",
                                                 "issue_remove_row",
                                                 "issue_cancel_row",
                                                 "fixed_replaced",
                                                 "fixed_reduced",
                                                 "fixed_removed",
                                                 "issues_pending",
                                                 "edit_prompt",
                                                 "edit_button",
                                                 "edit_row",
                                                 "edit_line",
                                                 "button_plus",
                                                 "button_minus",
                                                 "button_remove",
                                                 "not_in_cart",
                                                 "no_longer_sold",
                                                 "language_set",
                                                 "payment_request",
                                                 "button_cod",
                                                 "button_cancel_order",
                                                 "awaiting_payment_hint",
                                                 "review_pending",
                                                 "help_payment",
                                                 "proof_received",
                                                 "order_cancelled",
                                                 "cod_confirmed",
                                                 "order_change_refused",
                                                 "order_status",
                                                 "order_total",
                                                 "notice_confirmed",
                                                 "notice_rejected",
                                                 "notice_packed",
                                                 "notice_out",
                                                 "notice_delivered",
                                                 "notice_cancelled",
                                                 "notice_expired",
                                                 "owner_cancelled_by_customer",
                                                 "owner_new_cod",
                                                 "owner_button_packed",
                                                 "status_awaiting_payment",
                                                 "status_payment_review",
                                                 "status_confirmed",
                                                 "status_packed",
                                                 "status_out_for_delivery",
                                                 "status_delivered",
                                                 "status_cancelled",
                                                 "limit_message_too_long",
                                                 "limit_cart_full",
                                                 "limit_hold",
                                                 "limit_proofs",
                                                 "limit_text_shortened"};
  return names;
}

std::string ReplyLocale(const ConversationState& state, const ShopView& shop) {
  if (!state.locale.empty() && shop.templates->HasLocale(state.locale)) return state.locale;
  if (shop.templates->HasLocale(shop.locale)) return shop.locale;
  return common::kDefaultLocale;
}

nlohmann::json StateToJson(const ConversationState& state) {
  static const char* const kStages[] = {"idle", "menu", "cart", "issues"};
  json cart = json::array();
  for (const auto& line : state.cart) cart.push_back({{"sku", line.sku}, {"qty", line.qty}});
  json out = {{"stage", kStages[static_cast<int>(state.stage)]}, {"cart", cart}};
  if (!state.locale.empty()) out["locale"] = state.locale;
  if (!state.issues.empty()) out["issues"] = state.issues;
  if (state.order_id != 0) out["order_id"] = state.order_id;
  return out;
}

ConversationState StateFromJson(const nlohmann::json& json) {
  ConversationState state;
  const std::string stage = whatsapp::StringField(json, "stage");
  state.stage = stage == "menu"     ? Stage::kMenu
                : stage == "cart"   ? Stage::kCart
                : stage == "issues" ? Stage::kIssues
                                    : Stage::kIdle;
  state.locale = whatsapp::StringField(json, "locale");
  if (json.is_object() && json.contains("cart") && json["cart"].is_array()) {
    for (const auto& line : json["cart"]) {
      const std::string sku = whatsapp::StringField(line, "sku");
      const int64_t qty = whatsapp::IntField(line, "qty", 0);
      if (!sku.empty() && qty > 0) state.cart.push_back({sku, std::min(kMaxLineQty, qty)});
    }
  }
  if (json.is_object() && json.contains("issues") && json["issues"].is_array()) {
    for (const auto& sku : json["issues"]) {
      if (sku.is_string()) state.issues.push_back(sku.get<std::string>());
    }
  }
  if (state.stage == Stage::kIssues && state.issues.empty()) state.stage = Stage::kCart;
  state.order_id = std::max<int64_t>(0, whatsapp::IntField(json, "order_id", 0));
  return state;
}

std::string RenderBill(const std::vector<CartLine>& cart, const ShopView& shop,
                       const std::string& locale) {
  const orders::Bill bill = orders::MakeBill(cart, *shop.catalog, shop.delivery);
  json lines = json::array();
  for (const auto& line : bill.lines) {
    const int64_t stock = line.product->stock;
    lines.push_back({{"qty", line.qty},
                     {"name", line.product->name},
                     {"unit_price", line.product->price.ToRupeeText()},
                     {"amount", line.amount.ToRupeeText()},
                     {"out_of_stock", stock <= 0},
                     {"only_left", stock > 0 && stock < line.qty ? json(stock) : json(false)}});
  }
  json data = {{"shop", shop.name},
               {"lines", lines},
               {"subtotal", bill.subtotal.ToRupeeText()},
               {"free_delivery", bill.delivery.minor == 0},
               {"delivery", bill.delivery.ToRupeeText()},
               {"free_from", shop.delivery.free_from ? json(shop.delivery.free_from->ToRupeeText())
                                                     : json(false)},
               {"total", bill.total.ToRupeeText()}};
  return shop.templates->Render(locale, "bill", data, shop.overrides);
}

Transition Step(const ConversationState& state, const InboundEvent& event, const ShopView& shop) {
  return Turn(state, event, shop).Run();
}

Transition Resume(const ConversationState& state, const Outcome& outcome, const InboundEvent& event,
                  const ShopView& shop) {
  if (const auto* shortage = std::get_if<StockShort>(&outcome)) {
    // The database knows better than the catalog the view was built from: check again with
    // its figures, which offers the choices for what is short.
    orders::Catalog fresh = *shop.catalog;
    for (auto& product : fresh.products) {
      if (auto it = shortage->available.find(product.sku); it != shortage->available.end()) {
        product.stock = it->second;
      }
    }
    ShopView view = shop;
    view.catalog = &fresh;
    return Turn(state, event, view).AfterShortage();
  }
  return Turn(state, event, shop).AfterOutcome(outcome);
}

std::vector<nlohmann::json> CustomerNotices(const orders::OrderView& order,
                                            orders::OrderAction action, const ShopView& shop) {
  using orders::OrderAction;
  ConversationState state;
  state.locale = order.customer_locale;
  const Wording words(*shop.templates, shop.overrides, ReplyLocale(state, shop), shop.name);
  const json data = {{"number", order.number},
                     {"total", order.total.ToRupeeText()},
                     {"reason", order.reason.empty() ? json(false) : json(order.reason)},
                     {"minutes", shop.reservation_minutes}};
  const std::string& to = order.customer;
  // The approved template to send instead if the customer has not written for 24 hours.
  auto with_fallback = [&](const char* kind, const std::string& template_name,
                           const std::string& detail) {
    nlohmann::json notice = TextTo(to, words.Say(template_name, data));
    notice[whatsapp::kNoticeKey] = {{"order", order.number}, {"kind", kind}};
    if (auto t = shop.notice_templates.find(kind); t != shop.notice_templates.end()) {
      notice[whatsapp::kFallbackKey] = whatsapp::BuildTemplateMessage(
          to, t->second.name, t->second.language, {"#" + std::to_string(order.number), detail});
    }
    return notice;
  };
  switch (action) {
    case OrderAction::kApprove:
      return {with_fallback("confirmed", "notice_confirmed", order.total.ToRupeeText())};
    case OrderAction::kPack:
      return {with_fallback("packed", "notice_packed", shop.name)};
    case OrderAction::kDispatch:
      return {with_fallback("out", "notice_out", shop.name)};
    case OrderAction::kDeliver:
      return {with_fallback("delivered", "notice_delivered", shop.name)};
    case OrderAction::kExpire:
      return {with_fallback("expired", "notice_expired", std::to_string(shop.reservation_minutes))};
    case OrderAction::kCancel:
      return {with_fallback("cancelled", "notice_cancelled", order.reason)};
    case OrderAction::kReject: {
      // Told why, and how to pay again: the payment request follows.
      InboundEvent as_customer;
      as_customer.kind = InboundEvent::Kind::kMessage;
      as_customer.customer = to;
      Turn turn(state, as_customer, shop);
      Transition t = turn.AfterOutcome(OrderPlaced{order});
      std::vector<nlohmann::json> out = {
          with_fallback("rejected", "notice_rejected", order.reason)};
      for (const auto& effect : t.effects) {
        if (const auto* reply = std::get_if<SendReply>(&effect)) out.push_back(reply->payload);
      }
      return out;
    }
    default:
      return {TextTo(to, words.Say("order_status", {{"number", order.number},
                                                    {"status", words.StatusWords(order.status)}}))};
  }
}

}  // namespace chatshop::bot
