#include "core/measure/ModelStats.h"

#include "core/measure/ModelFile.h"

#include <torch/torch.h>

#include <algorithm>

namespace gsq::core::measure {

ModelSizes measureSizes(torch::nn::Module& module)
{
    ModelSizes s;
    auto add = [&](const std::string& name, const at::Tensor& t, bool isParam) {
        TensorStat st;
        st.name = name;
        st.shape = c10::str(t.sizes());
        st.params = t.numel();
        st.nnz = t.ne(0).sum().item<int64_t>();
        st.prunable = t.dim() > 1;
        const auto f = t.detach().to(torch::kFloat).contiguous();
        st.diskBytes = static_cast<int64_t>(ModelFile::denseBytes(f));
        if (st.prunable)
            st.diskBytes = static_cast<int64_t>(
                std::min({ModelFile::denseBytes(f), ModelFile::csrBytes(f), ModelFile::bitmaskBytes(f)}));
        s.theoreticalBytes += st.nnz * 4;
        s.denseBytes += st.params * 4;
        if (isParam) {
            s.nonzeroParams += st.nnz;
            s.totalParams += st.params;
        }
        s.tensors.push_back(st);
    };
    for (const auto& p : module.named_parameters(true))
        add(p.key(), p.value(), true);
    for (const auto& b : module.named_buffers(true))
        add(b.key(), b.value(), false);
    s.diskBytes = static_cast<int64_t>(ModelFile::encode(module).size());
    return s;
}

} // namespace gsq::core::measure
