// Compiles the table header once for the two windows the project uses, so a
// header error surfaces when the library builds rather than in a client.
#include "idemcheck/impl/producer_state_table.hpp"

namespace idemcheck::impl {

template class BasicProducerStateTable<5>;
template class BasicProducerStateTable<8>;

}  // namespace idemcheck::impl
