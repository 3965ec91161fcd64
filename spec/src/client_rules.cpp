#include "idemcheck/spec/client_rules.hpp"

#include <array>
#include <ostream>

namespace idemcheck::spec {

namespace {
constexpr std::array kAll{ClientRules::java_2_4, ClientRules::java_2_5, ClientRules::kafka_14034};
}  // namespace

std::span<const ClientRules> all_client_rules() { return kAll; }

std::string_view name(ClientRules r) {
  switch (r) {
    case ClientRules::java_2_4: return "java-2.4";
    case ClientRules::java_2_5: return "java-2.5";
    case ClientRules::kafka_14034: return "kafka-14034";
  }
  return "unknown";
}

bool parse_client_rules(std::string_view text, ClientRules& out) {
  for (ClientRules r : kAll) {
    if (name(r) == text) {
      out = r;
      return true;
    }
  }
  return false;
}

std::ostream& operator<<(std::ostream& os, ClientRules r) { return os << name(r); }

}  // namespace idemcheck::spec
