// The drivers behind run_driver (driver.hpp).
#pragma once

#include <string>

#include "idemcheck/clients/driver.hpp"

namespace idemcheck::clients::detail {

DriverResult run_librdkafka(const std::string& bootstrap, const ProducerSettings& settings, const Application& app);
DriverResult run_kafkajs(const std::string& bootstrap, const ProducerSettings& settings, const Application& app,
                         const std::string& kafkajs_dir);

}  // namespace idemcheck::clients::detail

namespace idemcheck::clients::detail {
std::string kafkajs_unavailable(const std::string& dir);
}  // namespace idemcheck::clients::detail
