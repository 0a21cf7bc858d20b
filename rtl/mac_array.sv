// mac_array: PE x SIMD multipliers of a WBits two's-complement weight by an ABits unsigned
// activation, one adder tree per PE and a PE accumulator of AccBits.
//
// Each accepted input beat carries SIMD activations (shared by all PEs) and PE x SIMD weights;
// `in_last_i` marks the last beat of an output (the last fold), after which the PE accumulators
// leave as one output beat and restart from zero. Pipeline: input register, multiply register,
// adder tree register, accumulate; one global enable stalls every stage while a finished output
// waits for `out_ready_i`, so nothing is lost or duplicated and outputs can leave back to back.
`default_nettype none

module mac_array #(
  // Every parameter comes from rtl/rtl_config.json (through rtl/CMakeLists.txt or
  // scripts/circuit_cost.py): none has a default here that could drift from it.
  // Output channels computed in parallel.
  parameter int unsigned PE,
  // Input elements (channel x kernel tap) per beat.
  parameter int unsigned SIMD,
  // Weight code width, two's complement (2..8).
  parameter int unsigned WBits,
  // Activation code width, unsigned (2..8, or 12 for the 1/16-unit upsampled codes).
  parameter int unsigned ABits,
  // Deepest accumulation the array must hold exactly (k*k*Cin of the deepest layer).
  parameter int unsigned MaxDepth,
  // Accumulator width, derived: a signed WBits x (ABits+1) product needs WBits+ABits bits, and
  // MaxDepth of them clog2(MaxDepth) more.
  localparam int unsigned AccBits = WBits + ABits + $clog2(MaxDepth)
) (
  input  wire logic                        clk_i,
  input  wire logic                        rst_ni,

  input  wire logic                        in_valid_i,
  output      logic                        in_ready_o,
  input  wire logic [SIMD*ABits-1:0]       in_act_i,
  input  wire logic [PE*SIMD*WBits-1:0]    in_wgt_i,   // PE-major: weight (p, s) at p*SIMD + s
  input  wire logic                        in_last_i,

  output      logic                        out_valid_o,
  input  wire logic                        out_ready_i,
  output      logic [PE*AccBits-1:0]       out_acc_o   // PE p at bits [p*AccBits +: AccBits]
);

  localparam int unsigned ProdBits = WBits + ABits;  // signed product, activation zero-extended
  localparam int unsigned SumBits = ProdBits + $clog2(SIMD + 1);

  // A finished output that cannot leave holds the whole pipeline.
  logic advance;
  assign advance = !out_valid_o || out_ready_i;
  assign in_ready_o = advance;

  // Stage 1: operands.
  logic                     s1_valid_q, s1_last_q;
  logic [SIMD*ABits-1:0]    s1_act_q;
  logic [PE*SIMD*WBits-1:0] s1_wgt_q;
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s1_valid_q <= 1'b0;
      s1_last_q  <= 1'b0;
      s1_act_q   <= '0;
      s1_wgt_q   <= '0;
    end else if (advance) begin
      s1_valid_q <= in_valid_i;
      s1_last_q  <= in_last_i;
      s1_act_q   <= in_act_i;
      s1_wgt_q   <= in_wgt_i;
    end
  end

  // Stage 2: products.
  logic                           s2_valid_q, s2_last_q;
  logic signed [ProdBits-1:0]     s2_prod_q [PE][SIMD];
  for (genvar p = 0; p < PE; p++) begin : g_prod_pe
    for (genvar s = 0; s < SIMD; s++) begin : g_prod_simd
      logic signed [WBits-1:0] wgt;
      logic signed [ABits:0]   act;  // zero-extended: activations are unsigned
      assign wgt = s1_wgt_q[(p*SIMD+s)*WBits +: WBits];
      assign act = {1'b0, s1_act_q[s*ABits +: ABits]};
      always_ff @(posedge clk_i or negedge rst_ni) begin
        if (!rst_ni) s2_prod_q[p][s] <= '0;
        else if (advance) s2_prod_q[p][s] <= ProdBits'(wgt * act);
      end
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s2_valid_q <= 1'b0;
      s2_last_q  <= 1'b0;
    end else if (advance) begin
      s2_valid_q <= s1_valid_q;
      s2_last_q  <= s1_last_q;
    end
  end

  // Stage 3: one adder tree per PE (a synthesis tool balances the sum).
  logic                      s3_valid_q, s3_last_q;
  logic signed [SumBits-1:0] s3_sum_q [PE];
  for (genvar p = 0; p < PE; p++) begin : g_tree
    logic signed [SumBits-1:0] sum;
    always_comb begin
      sum = '0;
      for (int unsigned s = 0; s < SIMD; s++) sum = sum + SumBits'(s2_prod_q[p][s]);
    end
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) s3_sum_q[p] <= '0;
      else if (advance) s3_sum_q[p] <= sum;
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      s3_valid_q <= 1'b0;
      s3_last_q  <= 1'b0;
    end else if (advance) begin
      s3_valid_q <= s2_valid_q;
      s3_last_q  <= s2_last_q;
    end
  end

  // Stage 4: accumulate; the last fold's total leaves through the output register.
  logic signed [AccBits-1:0] acc_q [PE];
  for (genvar p = 0; p < PE; p++) begin : g_acc
    logic signed [AccBits-1:0] total;
    assign total = acc_q[p] + AccBits'(s3_sum_q[p]);
    always_ff @(posedge clk_i or negedge rst_ni) begin
      if (!rst_ni) begin
        acc_q[p] <= '0;
        out_acc_o[p*AccBits +: AccBits] <= '0;
      end else if (advance && s3_valid_q) begin
        acc_q[p] <= s3_last_q ? '0 : total;
        if (s3_last_q) out_acc_o[p*AccBits +: AccBits] <= total;
      end
    end
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) out_valid_o <= 1'b0;
    else if (advance) out_valid_o <= s3_valid_q && s3_last_q;
  end

endmodule

`default_nettype wire
