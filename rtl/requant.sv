// requant: per-channel (acc * mult + bias) >>> shift, clamped to [0, 2^OutBits - 1], or, in the
// flow head's mode, saturated to a signed 16-bit flow code (DESIGN section 2). `bias` already
// holds the 2^(shift-1) rounding term; >>> is an arithmetic shift, i.e. floor.
// Two pipeline stages (multiply; add, shift and clamp) behind a valid/ready handshake.
`default_nettype none

module requant #(
  // Accumulator width (mac_array's AccBits).
  parameter int unsigned AccBits = 37,
  // Multiplier width: |mult| < 2^(MultBits-1).
  parameter int unsigned MultBits = 24,
  // Bias width, the rounding term included.
  parameter int unsigned BiasBits = 48,
  // Output code width for activations (2..8).
  parameter int unsigned OutBits = 8,
  // 1: the flow head (signed 16-bit saturation) instead of an activation.
  parameter int unsigned FlowHead = 0,
  // Negative: the shift comes with each channel (in_shift_i). 0..63: a constant of the layer (the
  // package has one shift per layer), so the barrel shifter becomes wiring and in_shift_i is ignored.
  parameter int FixedShift = -1
) (
  input  wire logic                        clk_i,
  input  wire logic                        rst_ni,

  input  wire logic                        in_valid_i,
  output      logic                        in_ready_o,
  input  wire logic signed [AccBits-1:0]   in_acc_i,
  input  wire logic signed [MultBits-1:0]  in_mult_i,
  input  wire logic signed [BiasBits-1:0]  in_bias_i,
  input  wire logic [5:0]                  in_shift_i,

  output      logic                        out_valid_o,
  input  wire logic                        out_ready_i,
  output      logic signed [15:0]          out_code_o
);

  localparam int unsigned ProdBits = AccBits + MultBits;
  localparam int unsigned SumBits = (ProdBits > BiasBits ? ProdBits : BiasBits) + 1;
  localparam logic signed [SumBits-1:0] Hi = (FlowHead != 0) ? SumBits'(32767) : SumBits'((1 << OutBits) - 1);
  localparam logic signed [SumBits-1:0] Lo = (FlowHead != 0) ? -SumBits'(32768) : '0;

  logic advance;
  assign advance = !out_valid_o || out_ready_i;
  assign in_ready_o = advance;

  // Stage 1: the product.
  logic                       s1_valid_q;
  logic signed [ProdBits-1:0] s1_prod_q;
  logic signed [BiasBits-1:0] s1_bias_q;
  logic [5:0]                 s1_shift_q;
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
  logic [5:0] shift;
  assign shift = FixedShift >= 0 ? 6'(FixedShift) : s1_shift_q;
  logic signed [SumBits-1:0] shifted;
  assign shifted = (SumBits'(s1_prod_q) + SumBits'(s1_bias_q)) >>> shift;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      out_valid_o <= 1'b0;
      out_code_o  <= '0;
    end else if (advance) begin
      out_valid_o <= s1_valid_q;
      out_code_o  <= 16'(shifted > Hi ? Hi : (shifted < Lo ? Lo : shifted));
    end
  end

endmodule

`default_nettype wire
