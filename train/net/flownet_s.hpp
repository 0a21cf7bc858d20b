// The float FlowNetS baseline (Dosovitskiy et al. 2015) the seed compared against: convs with
// bias and LeakyReLU 0.1, transposed-conv decoder, five flow heads and the multi-scale loss.
#pragma once

#include "flow_network.hpp"

namespace qflow::train {

class FlowNetS : public FlowNetwork {
 public:
  FlowNetS(double width_mult, double div_flow = 20.0);

  torch::Tensor predict(const torch::Tensor& img1, const torch::Tensor& img2) override;
  // FlowNet's multi-scale loss: EPE at flow2..flow6 against the average-pooled ground truth,
  // weighted 0.32, 0.08, 0.02, 0.01, 0.005.
  torch::Tensor loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                     const torch::Tensor& valid) override;
  std::string describe() const override;

 private:
  std::vector<torch::Tensor> flows(const torch::Tensor& img1, const torch::Tensor& img2);  // flow2 .. flow6

  double width_mult_, div_flow_;
  torch::nn::Sequential conv1_, conv2_, conv3_, conv3_1_, conv4_, conv4_1_, conv5_, conv5_1_, conv6_, conv6_1_;
  torch::nn::Sequential deconv5_, deconv4_, deconv3_, deconv2_;
  torch::nn::Conv2d predict6_{nullptr}, predict5_{nullptr}, predict4_{nullptr}, predict3_{nullptr}, predict2_{nullptr};
  torch::nn::ConvTranspose2d up6_{nullptr}, up5_{nullptr}, up4_{nullptr}, up3_{nullptr};
};

}  // namespace qflow::train
