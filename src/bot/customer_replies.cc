// The customer engine's replies, and the typed commands that work at every stage (help,
// cancel, status, menu, greetings, language): see customer_turn.h.
#include <algorithm>

#include "bot/customer_turn.h"
#include "bot/lexicon/lexicon.h"
#include "bot/text.h"
#include "common/utf8.h"

namespace chatshop::bot::customer {

CartLine* FindLine(std::vector<CartLine>& cart, const std::string& sku) {
  for (auto& line : cart) {
    if (line.sku == sku) return &line;
  }
  return nullptr;
}

void AddToCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty) {
  qty = std::clamp<int64_t>(qty, 0, kMaxLineQuantity);  // never overflows, whatever Meta sends
  if (qty == 0) return;
  if (CartLine* line = FindLine(cart, sku)) {
    line->qty = std::min(kMaxLineQuantity, line->qty + qty);
  } else {
    cart.push_back({sku, std::min(kMaxLineQuantity, qty)});
  }
}

void SetInCart(std::vector<CartLine>& cart, const std::string& sku, int64_t qty) {
  if (qty <= 0) {
    std::erase_if(cart, [&](const CartLine& line) { return line.sku == sku; });
  } else if (CartLine* line = FindLine(cart, sku)) {
    line->qty = std::min(kMaxLineQuantity, qty);
  } else {
    cart.push_back({sku, std::min(kMaxLineQuantity, qty)});
  }
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

std::string CutAtLine(const std::string& text, size_t max_chars) {
  std::string cut = common::TruncateUtf8(text, max_chars);
  if (cut.size() < text.size()) {
    const size_t line = cut.rfind('\n');
    if (line != std::string::npos && line > cut.size() / 2) cut.resize(line);
  }
  return cut;
}

std::string Capitalised(std::string text) {
  if (!text.empty()) text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
  return text;
}

bool IsCancel(const std::string& command) {
  bool cancel = false;
  std::string word;
  for (char c : command + " ") {
    if (c != ' ') {
      word += c;
      continue;
    }
    if (word.empty()) continue;
    if (lexicon::CancelWords().count(word)) {
      cancel = true;
    } else if (!lexicon::CancelFillers().count(word)) {
      return false;
    }
    word.clear();
  }
  return cancel;
}

std::string Turn::Say(const std::string& name, json data) const {
  data["shop"] = shop_.name;
  // Mustache takes "" as true: no name is false, so "Namaste{{#customer}} …" reads "Namaste!".
  if (!data.contains("customer")) {
    data["customer"] = customer_.name.empty() ? json(false) : json(customer_.name);
  }
  return shop_.templates->Render(ReplyLocale(next_, shop_), name, data, shop_.overrides);
}

void Turn::SendText(const std::string& body) {
  // A text over Meta's limit (a very long bill) goes as several messages, at most
  // [limits] text_messages_per_answer_max of them: the last one kept is shortened and says so.
  std::vector<json> parts = whatsapp::BuildTextMessages(customer_.wa_id, body);
  const size_t most = std::max<size_t>(1, shop_.limits.text_messages_per_answer_max);
  if (parts.size() > most) {
    parts.resize(most);
    const std::string note = Say("limit_text_shortened");
    const std::string kept = parts.back()["text"]["body"].get<std::string>();
    const size_t room = whatsapp::kMaxTextBodyChars -
                        std::min(whatsapp::kMaxTextBodyChars / 2, common::CountUtf8Chars(note) + 1);
    parts.back() = whatsapp::BuildTextMessage(customer_.wa_id, CutAtLine(kept, room) + "\n" + note);
  }
  for (auto& part : parts) effects_.push_back(SendReply{std::move(part)});
}

void Turn::SendList(const std::string& body, const std::string& button,
                    std::vector<whatsapp::ListSection> sections) {
  effects_.push_back(
      SendReply{whatsapp::BuildListMessage(customer_.wa_id, body, button, sections)});
}

std::string Turn::Notes() const {
  std::string text;
  for (const auto& note : notes_) text += note + "\n";
  return text.empty() ? "" : text + "\n";
}

void Turn::SendButtons(const std::string& body, const std::vector<whatsapp::ReplyButton>& buttons) {
  if (common::CountUtf8Chars(body) <= whatsapp::kMaxInteractiveBodyChars) {
    effects_.push_back(SendReply{whatsapp::BuildButtonsMessage(customer_.wa_id, body, buttons)});
    return;
  }
  // Too long for an interactive body (1,024 characters): the text goes as a text message
  // (4,096) and the buttons follow under its last line (the total, for a bill).
  SendText(body);
  effects_.push_back(SendReply{
      whatsapp::BuildButtonsMessage(customer_.wa_id, body.substr(body.rfind('\n') + 1), buttons)});
}

void Turn::SendBill(const std::string& preface) {
  if (next_.cart.empty()) {
    SendText(preface + Say("cart_empty") + " " + Say("try_list"));
    return;
  }
  SendButtons(preface + RenderBill(next_.cart, shop_, ReplyLocale(next_, shop_)),
              {{EncodeChoice(choice::Checkout{}), Say("button_checkout")},
               {EncodeChoice(choice::EditCart{}), Say("button_edit")},
               {EncodeChoice(choice::CancelCart{}), Say("button_cancel")}});
}

Wording Turn::WordsFor(const std::string& locale) const {
  return Wording(*shop_.templates, shop_.overrides,
                 shop_.templates->HasLocale(locale) ? locale : ReplyLocale(next_, shop_),
                 shop_.name);
}

bool Turn::SwitchLanguage(const std::string& command) {
  const auto language = lexicon::LanguageWords().find(command);
  if (language == lexicon::LanguageWords().end()) return false;
  if (shop_.templates->HasLocale(language->second)) next_.locale = language->second;
  return true;
}

bool Turn::OnCommand(const std::string& command) {
  if (lexicon::HelpWords().count(command)) {
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
  } else if (command == "menu" || lexicon::Greetings().count(command)) {
    if (next_.cart.empty()) next_.stage = Stage::kMenu;
    SendMenu(0);
  } else if (SwitchLanguage(command)) {
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

void Turn::Cancel() {
  next_ = ConversationState{};
  next_.locale = state_.locale;
  SendText(Say("cancelled"));
}

Transition Turn::Done() {
  for (auto& question : questions_) effects_.push_back(std::move(question));
  questions_.clear();
  return {std::move(next_), std::move(effects_)};
}

}  // namespace chatshop::bot::customer
