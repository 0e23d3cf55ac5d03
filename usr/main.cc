// SPDX-License-Identifier: GPL-2.0-or-later
// nat64: configure the nat64 kernel module (command-compatible with Jool 4.1).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "lib/run.h"
#include "lib/transport.h"

int main(int argc, char **argv)
{
  std::ios::sync_with_stdio(false);
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    return nat64::nat64_main(args, nat64::open_netlink, std::cout, std::cerr);
  } catch (const std::exception &e) {
    std::cerr << "nat64: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "nat64: internal error\n";
  }
  return 1;
}
