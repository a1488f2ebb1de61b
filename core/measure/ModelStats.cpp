#include "core/measure/ModelStats.h"

#include "core/measure/ModelFile.h"

#include <torch/torch.h>

#include <algorithm>

namespace gsq::core::measure {

ModelSizes measureSizes(torch::nn::Module& module, const QuantizedWeights* quantized)
{
    ModelSizes s;
    auto add = [&](const std::string& name, const at::Tensor& t, bool isParam) {
        if (name.rfind("quant.", 0) == 0)
            return;
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
                std::min({ ModelFile::denseBytes(f), ModelFile::csrBytes(f), ModelFile::bitmaskBytes(f) }));
        const QuantizedWeight* q = nullptr;
        if (quantized)
            if (auto it = quantized->find(name); it != quantized->end())
                q = &it->second;
        if (q) {
            const int64_t rows = static_cast<int64_t>(q->bits.size()), cols = rows ? st.params / rows : 0;
            auto nzPerRow = q->values.ne(0).sum(1).contiguous();
            const int64_t* nz = nzPerRow.data_ptr<int64_t>();
            int64_t bits = 0, nnzBits = 0;
            for (int64_t r = 0; r < rows; ++r) {
                bits += cols * q->bits[static_cast<size_t>(r)];
                nnzBits += nz[r] * q->bits[static_cast<size_t>(r)];
            }
            st.bits = st.params ? static_cast<double>(bits) / static_cast<double>(st.params) : 0;
            // A codebook (weight sharing) is stored beside the codes: one float per non-zero code.
            const int64_t bookBytes = q->codebook.defined() ? 4 * (q->codebook.numel() - 1) : 0;
            st.diskBytes = static_cast<int64_t>(ModelFile::packedBytes(*q)) + bookBytes;
            s.theoreticalBytes += (nnzBits + 7) / 8 + bookBytes;
        } else {
            s.theoreticalBytes += st.nnz * 4;
        }
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
    s.diskBytes = static_cast<int64_t>(ModelFile::encode(module, quantized).size());
    s.foldedBytes = quantized ? s.diskBytes : static_cast<int64_t>(ModelFile::encode(module, nullptr, true).size());
    return s;
}

} // namespace gsq::core::measure
