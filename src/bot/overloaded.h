#pragma once

namespace chatshop::bot {

// A visitor made of lambdas, one per alternative: std::visit(Overloaded{[](const A&) {…},
// [](const B&) {…}}, v). A `const auto&` lambda catches the alternatives not named.
template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

}  // namespace chatshop::bot
