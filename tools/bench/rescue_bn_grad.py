"""Compares rescue_bn_grad.ts's gradients (ours, wasm and cpu) with PyTorch float32 and float64 from the same kernels and batch."""
import json, sys, numpy as np, torch, importlib.util
D='tools/bench/tmp/rescue/'
spec=importlib.util.spec_from_file_location('rt','tools/bench/rescue_torch.py')
sys.argv=['x',D]; rt=importlib.util.module_from_spec(spec); spec.loader.exec_module(rt)
sc='warmup'
ours={be: json.load(open(D+f'grads-{sc}-{be}.json')) for be in ['wasm','cpu']}
order=np.fromfile(D+f'order-{sc}-1.i32',dtype=np.int32)[:64]
x=np.fromfile(D+'mnist-x.f32',dtype=np.float32).reshape(-1,784)[order]; y=np.fromfile(D+'mnist-y.i32',dtype=np.int32)[order]
def grads(dt):
    torch.set_default_dtype(dt)
    m=rt.Mlp(20,'relu','batch'); rt.load_init(m,f'init-{sc}-0-1')
    m=m.to(dt); m.train()
    loss=torch.nn.functional.cross_entropy(m(torch.from_numpy(x).to(dt)),torch.from_numpy(y).long()); loss.backward()
    names=[]
    for i,l in enumerate(m.lin): names += [(f'mlp/dense{i}/kernel', l.weight.grad.t()), (f'mlp/norm{i}/gamma', m.bn[i].weight.grad), (f'mlp/norm{i}/beta', m.bn[i].bias.grad)]
    names += [('mlp/head/kernel', m.head.weight.grad.t()), ('mlp/head/bias', m.head.bias.grad)]
    return loss.item(), {k: v.detach().double().numpy().ravel() for k,v in names}
l64,g64=grads(torch.float64); l32,g32=grads(torch.float32)
print('loss f64',l64,'f32',l32,'ours wasm',ours['wasm']['loss'],'cpu',ours['cpu']['loss'])
def rel(a,b): return np.linalg.norm(a-b)/max(np.linalg.norm(b),1e-30)
print('%-22s %10s %10s %10s %10s'%('var','|g|','torch32','ours wasm','ours cpu'))
worst={'t32':0,'wasm':0,'cpu':0}
for k in ours['wasm']['names']:
    if k not in g64: print('missing',k); continue
    r=(rel(g32[k],g64[k]),rel(np.array(ours['wasm'][k]),g64[k]),rel(np.array(ours['cpu'][k]),g64[k]))
    worst={'t32':max(worst['t32'],r[0]),'wasm':max(worst['wasm'],r[1]),'cpu':max(worst['cpu'],r[2])}
    if k.endswith(('dense0/kernel','dense10/kernel','dense19/kernel','norm0/gamma','norm10/gamma','norm19/beta','head/kernel')): print('%-22s %10.3g %10.2e %10.2e %10.2e'%(k,np.linalg.norm(g64[k]),*r))
print('worst relative error vs float64 over all variables:',worst)
