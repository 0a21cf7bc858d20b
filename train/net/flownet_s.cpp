#include "flownet_s.hpp"

#include <cmath>

#include <fmt/format.h>

namespace qflow::train {
namespace {

namespace nn = torch::nn;

nn::Sequential conv(int cin, int cout, int k, int stride) {
  return nn::Sequential(nn::Conv2d(nn::Conv2dOptions(cin, cout, k).stride(stride).padding((k - 1) / 2)),
                        nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1)));
}
nn::Sequential deconv(int cin, int cout) {
  return nn::Sequential(nn::ConvTranspose2d(nn::ConvTranspose2dOptions(cin, cout, 4).stride(2).padding(1)),
                        nn::LeakyReLU(nn::LeakyReLUOptions().negative_slope(0.1)));
}
nn::Conv2d predict_flow(int cin) { return nn::Conv2d(nn::Conv2dOptions(cin, 2, 3).padding(1)); }
nn::ConvTranspose2d upsample_flow() {
  return nn::ConvTranspose2d(nn::ConvTranspose2dOptions(2, 2, 4).stride(2).padding(1).bias(false));
}

}  // namespace

FlowNetS::FlowNetS(double width_mult, double div_flow) : width_mult_(width_mult), div_flow_(div_flow) {
  const auto c = [&](int full) { return std::max(1, int(std::lround(full * width_mult))); };
  conv1_ = register_module("conv1", conv(6, c(64), 7, 2));
  conv2_ = register_module("conv2", conv(c(64), c(128), 5, 2));
  conv3_ = register_module("conv3", conv(c(128), c(256), 5, 2));
  conv3_1_ = register_module("conv3_1", conv(c(256), c(256), 3, 1));
  conv4_ = register_module("conv4", conv(c(256), c(512), 3, 2));
  conv4_1_ = register_module("conv4_1", conv(c(512), c(512), 3, 1));
  conv5_ = register_module("conv5", conv(c(512), c(512), 3, 2));
  conv5_1_ = register_module("conv5_1", conv(c(512), c(512), 3, 1));
  conv6_ = register_module("conv6", conv(c(512), c(1024), 3, 2));
  conv6_1_ = register_module("conv6_1", conv(c(1024), c(1024), 3, 1));
  deconv5_ = register_module("deconv5", deconv(c(1024), c(512)));
  deconv4_ = register_module("deconv4", deconv(c(512) + c(512) + 2, c(256)));
  deconv3_ = register_module("deconv3", deconv(c(512) + c(256) + 2, c(128)));
  deconv2_ = register_module("deconv2", deconv(c(256) + c(128) + 2, c(64)));
  predict6_ = register_module("predict_flow6", predict_flow(c(1024)));
  predict5_ = register_module("predict_flow5", predict_flow(c(512) + c(512) + 2));
  predict4_ = register_module("predict_flow4", predict_flow(c(512) + c(256) + 2));
  predict3_ = register_module("predict_flow3", predict_flow(c(256) + c(128) + 2));
  predict2_ = register_module("predict_flow2", predict_flow(c(128) + c(64) + 2));
  up6_ = register_module("upsampled_flow6_to_5", upsample_flow());
  up5_ = register_module("upsampled_flow5_to_4", upsample_flow());
  up4_ = register_module("upsampled_flow4_to_3", upsample_flow());
  up3_ = register_module("upsampled_flow3_to_2", upsample_flow());
}

std::vector<torch::Tensor> FlowNetS::flows(const torch::Tensor& img1, const torch::Tensor& img2) {
  const torch::Tensor x = torch::cat({img1, img2}, 1) / 255.0;
  const torch::Tensor c2 = conv2_->forward(conv1_->forward(x));
  const torch::Tensor c3 = conv3_1_->forward(conv3_->forward(c2));
  const torch::Tensor c4 = conv4_1_->forward(conv4_->forward(c3));
  const torch::Tensor c5 = conv5_1_->forward(conv5_->forward(c4));
  const torch::Tensor c6 = conv6_1_->forward(conv6_->forward(c5));
  const torch::Tensor flow6 = predict6_->forward(c6);
  const torch::Tensor cat5 = torch::cat({c5, deconv5_->forward(c6), up6_->forward(flow6)}, 1);
  const torch::Tensor flow5 = predict5_->forward(cat5);
  const torch::Tensor cat4 = torch::cat({c4, deconv4_->forward(cat5), up5_->forward(flow5)}, 1);
  const torch::Tensor flow4 = predict4_->forward(cat4);
  const torch::Tensor cat3 = torch::cat({c3, deconv3_->forward(cat4), up4_->forward(flow4)}, 1);
  const torch::Tensor flow3 = predict3_->forward(cat3);
  const torch::Tensor cat2 = torch::cat({c2, deconv2_->forward(cat3), up3_->forward(flow3)}, 1);
  return {predict2_->forward(cat2), flow3, flow4, flow5, flow6};
}

torch::Tensor FlowNetS::predict(const torch::Tensor& img1, const torch::Tensor& img2) {
  return upsample_flow4(div_flow_ * flows(img1, img2)[0]);
}

torch::Tensor FlowNetS::loss(const torch::Tensor& img1, const torch::Tensor& img2, const torch::Tensor& flow,
                             const torch::Tensor& valid) {
  namespace F = torch::nn::functional;
  static const double kWeights[] = {0.32, 0.08, 0.02, 0.01, 0.005};
  const std::vector<torch::Tensor> predictions = flows(img1, img2);
  torch::Tensor total = torch::zeros({}, flow.options());
  for (size_t i = 0; i < predictions.size(); ++i) {
    const int64_t factor = flow.size(2) / predictions[i].size(2);
    const torch::Tensor target = F::avg_pool2d(flow * valid, F::AvgPool2dFuncOptions(factor));
    const torch::Tensor mask = (F::avg_pool2d(valid, F::AvgPool2dFuncOptions(factor)) > 0.5).to(flow.dtype());
    total = total + kWeights[i] * masked_epe(div_flow_ * predictions[i], target, mask);
  }
  return total;
}

std::string FlowNetS::describe() const { return fmt::format("FlowNetS x{} (float baseline)", width_mult_); }

}  // namespace qflow::train
