`default_nettype none
// SECDED (72,64): the extended Hamming code a protected memory word carries, 8 check bits per 64
// data bits (model/faults/secded.cpp is the same code in C++; a test holds them together). The
// encoder writes the check bits; the decoder corrects one flipped bit of the 72 and flags two.
// Data bit i sits at the i-th Hamming position that is not a power of two (3, 5, 6, 7, 9, ...);
// check bit j (j < 7) is the parity of the positions with bit j set, check bit 7 that of all 71.
// Combinational: the memory's read port registers around it.
module secded_codec (
  input  wire logic [63:0] data_i,       // to encode, or as read
  input  wire logic [7:0]  check_i,      // as read
  output logic      [7:0]  check_o,      // the check bits of data_i
  output logic      [63:0] data_o,       // data_i, corrected
  output logic             corrected_o,  // one bit was flipped (in the data or the check bits)
  output logic             detected_o    // two bits (or a pattern past the code) flipped: uncorrectable
);
  function automatic logic [6:0] data_position(input int index);
    int seen;
    seen = -1;
    data_position = 7'd0;
    for (int p = 1; p < 72; p++)
      if ((p & (p - 1)) != 0) begin
        seen++;
        if (seen == index) data_position = 7'(p);
      end
  endfunction

  logic [6:0] data_syndrome;
  always_comb begin
    data_syndrome = 7'd0;
    for (int i = 0; i < 64; i++)
      if (data_i[i]) data_syndrome = data_syndrome ^ data_position(i);
  end

  assign check_o = {^data_i ^ ^data_syndrome, data_syndrome};

  wire logic [6:0] syndrome    = data_syndrome ^ check_i[6:0];
  wire logic       overall_odd = ^{data_i, check_i};
  logic            data_bit_hit;

  always_comb begin
    data_o       = data_i;
    data_bit_hit = 1'b0;
    for (int i = 0; i < 64; i++)
      if (overall_odd && syndrome == data_position(i)) begin
        data_o[i]    = ~data_i[i];
        data_bit_hit = 1'b1;
      end
  end

  // One flip: a data bit, a check bit (a syndrome of one set bit) or the overall bit (none).
  wire logic check_bit_hit = overall_odd && (syndrome & (syndrome - 7'd1)) == 7'd0;
  assign corrected_o = data_bit_hit || check_bit_hit;
  assign detected_o  = (syndrome != 7'd0 && !overall_odd) || (overall_odd && !data_bit_hit && !check_bit_hit);
endmodule
