// SPDX-License-Identifier: GPL-2.0-or-later
// Carrying out a parsed command: requests, answers, printing.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <span>
#include <string>

#include "command.h"
#include "result.h"
#include "transport.h"

namespace nat64 {

using TransportOpener = std::function<Result<std::unique_ptr<Transport>>()>;

// Runs `cmd` over `t`, printing tables on `out`.
Status run(const Command &cmd, Transport &t, std::ostream &out);

// The whole program minus main(): parse, connect, run, report. Returns the
// exit status (0 success, 1 failure, 2 usage error).
int nat64_main(std::span<const std::string> args, const TransportOpener &open, std::ostream &out,
               std::ostream &err);

}  // namespace nat64
