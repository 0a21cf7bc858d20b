// A soft error to inject into the simulated accelerator: one bit, or a burst of adjacent bits,
// flipped at one site at one time of a frame.
//   rom   a word of a conv PE's weight ROM: permanent until the ROM is reloaded (the next frame,
//         or the next DRAM fetch of a streamed layer's weights);
//   line  a code held in a unit's line buffer (its first input), until the row is overwritten;
//   fifo  a code of a row waiting in a FIFO or an on-chip skip buffer, until it is read;
//   dram  a code of a skip row held in DRAM (an edge placed there), until it is written or read;
//   acc   an accumulator of a conv PE: one output code of the next row it computes;
//   csr   a control register, until the host writes it again (the next frame).
// Written as SITE:TARGET[:key=value]...@CYCLE, the cycle counted from the frame's start, e.g.
//   rom:conv3:word=120:bit=5@2000   line:deconv2:row=1:element=77:bit=3@9000
//   fifo:conv2_to_conv3:row=0:element=12:bit=7@500   acc:conv4:element=40:bit=20@7000
//   csr:flow_addr:bit=12:burst=2@100
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace qflow {

struct FaultError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class FaultSite { Rom, LineBuffer, Fifo, DramSkip, Accumulator, Csr };

struct Fault {
  FaultSite site = FaultSite::Rom;
  std::string target;   // rom, line, acc: the layer; fifo: the channel; dram: the edge; csr: the register
  int64_t word = 0;     // rom: the word's address
  int64_t row = 0;      // line: the held row, 0 the oldest; fifo: the waiting row, 0 the next read; dram: the map's row
  int64_t element = 0;  // line, fifo, dram, acc: channel * width + x within the row
  int bit = 0, burst = 1;
  int64_t cycle = 0;    // since the frame started
};

const char* site_name(FaultSite site);
FaultSite parse_site(const std::string& name);  // throws FaultError naming the sites
// Throws FaultError naming what is malformed.
Fault parse_fault(const std::string& spec);
std::string fault_spec(const Fault& fault);

// The control registers a csr fault may hit, by name ("ctrl", "img1_addr", ...; a campaign draws
// them in this order), and a name's offset (throws FaultError naming them).
const std::vector<std::string>& csr_registers();
uint32_t csr_offset(const std::string& name);

}  // namespace qflow
