// requant: per-channel (acc * mult + bias) >>> shift, clamped to [0, 2^OutBits - 1], or, in the
// flow head's mode, saturated to a signed CodeBits-bit flow code (DESIGN section 2). `bias` already
// holds the 2^(shift-1) rounding term; >>> is an arithmetic shift, i.e. floor.
// Two pipeline stages (multiply; add, shift and clamp) behind a valid/ready handshake.
`default_nettype none

module requant #(
  // Every parameter comes from rtl/rtl_config.json (through rtl/CMakeLists.txt or
  // scripts/circuit_cost.py): none has a default here that could drift from it.
  // Accumulator width (the mac_array's AccBits).
  parameter int unsigned AccBits,
  // Multiplier width: |mult| < 2^(MultBits-1).
  parameter int unsigned MultBits,
  // Bias width, the rounding term included.
  parameter int unsigned BiasBits,
  // Shift port width: shifts 0 .. 2^ShiftBits - 1.
  parameter int unsigned ShiftBits,
  // Output port width: the flow head's signed codes; activation codes are zero-extended into it.
  parameter int unsigned CodeBits,
  // Output code width for activations (2..8).
  parameter int unsigned OutBits,
  // 1: the flow head (signed CodeBits-bit saturation) instead of an activation.
  parameter int unsigned FlowHead,
  // Negative: the shift comes with each channel (in_shift_i). 0 .. 2^ShiftBits - 1: a constant of
  // the layer (the package has one shift per layer), so the barrel shifter becomes wiring and
  // in_shift_i is ignored.
  parameter int FixedShift
) (
  input  wire logic                        clk_i,
  input  wire logic                        rst_ni,

  input  wire logic                        in_valid_i,
  output      logic                        in_ready_o,
  input  wire logic signed [AccBits-1:0]   in_acc_i,
  input  wire logic signed [MultBits-1:0]  in_mult_i,
  input  wire logic signed [BiasBits-1:0]  in_bias_i,
  input  wire logic [ShiftBits-1:0]        in_shift_i,

  output      logic                        out_valid_o,
  input  wire logic                        out_ready_i,
  output      logic signed [CodeBits-1:0]  out_code_o
);

  localparam int unsigned ProdBits = AccBits + MultBits;
  localparam int unsigned SumBits = (ProdBits > BiasBits ? ProdBits : BiasBits) + 1;
  localparam logic signed [SumBits-1:0] Hi = (FlowHead != 0) ? SumBits'((1 << (CodeBits - 1)) - 1) : SumBits'((1 << OutBits) - 1);
  localparam logic signed [SumBits-1:0] Lo = (FlowHead != 0) ? -SumBits'(1 << (CodeBits - 1)) : '0;

  logic advance;
  assign advance = !out_valid_o || out_ready_i;
  assign in_ready_o = advance;

  // Stage 1: the product.
  logic                       s1_valid_q;
  logic signed [ProdBits-1:0] s1_prod_q;
  logic signed [BiasBits-1:0] s1_bias_q;
  logic [ShiftBits-1:0]       s1_shift_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_prod_q  <= '0;
      s1_bias_q  <= '0;
      s1_shift_q <= '0;
    end else if (advance) begin
      s1_valid_q <= in_valid_i;
      s1_prod_q  <= ProdBits'(in_acc_i) * ProdBits'(in_mult_i);
      s1_bias_q  <= in_bias_i;
      s1_shift_q <= in_shift_i;
    end
  end

  // Stage 2: add, floor-shift, clamp.
  logic [ShiftBits-1:0] shift;
  assign shift = FixedShift >= 0 ? ShiftBits'(FixedShift) : s1_shift_q;
  logic signed [SumBits-1:0] shifted;
  assign shifted = (SumBits'(s1_prod_q) + SumBits'(s1_bias_q)) >>> shift;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_o <= 1'b0;
      out_code_o  <= '0;
    end else if (advance) begin
      out_valid_o <= s1_valid_q;
      out_code_o  <= CodeBits'(shifted > Hi ? Hi : (shifted < Lo ? Lo : shifted));
    end
  end

endmodule

`default_nettype wire
