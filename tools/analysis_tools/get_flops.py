"""FLOPs and parameters of one ProContEXT / OSTrack tracking forward.

    python tools/analysis_tools/get_flops.py CONFIG [--keep-ratios 0.6 0.7 0.8 0.9 1.0]

GFLOPs are multiply-accumulates of conv and linear layers (the convention of the paper's
Table 4, as the ``thop`` counter reports them); attention products and normalisation are listed
separately. All templates of the config's template memory are counted (4 for ProContEXT).
"""
import argparse

from mmengine.config import Config, DictAction

from procontext_mm.apis import init_model
from procontext_mm.utils.complexity import tracking_forward_complexity

#: the paper's Table 4 (128 / 256 px ablation model), for comparison
TABLE4_GFLOPS = {0.6: 36.1, 0.7: 38.0, 0.8: 40.1, 0.9: 42.7, 1.0: 45.5}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description='FLOPs of one tracking forward')
    parser.add_argument('config')
    parser.add_argument('--keep-ratios', type=float, nargs='+', default=None,
                        help='evaluate these candidate-elimination keep ratios (default: config)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, default=None)
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    ratios = args.keep_ratios or [None]
    rows = []
    for ratio in ratios:
        options = dict(args.cfg_options or {})
        if ratio is not None:
            options['model.backbone.ce_keep_ratio'] = ratio
        model = init_model(cfg.copy(), cfg_options=options)
        stats = tracking_forward_complexity(model)
        rows.append((ratio, stats))
    first = rows[0][1]
    print(f'{args.config}: {first["num_templates"]} templates of {first["template_size"]} px + '
          f'search {first["search_size"]} px, {first["params_m"]:.1f} M parameters')
    header = f'{"keep":>5} | {"GFLOPs (conv+linear)":>20} | {"attention":>9} | {"other":>6}'
    paper_cols = first['template_size'] == 128 and first['search_size'] == 256 \
        and first['num_templates'] == 4
    if paper_cols:
        header += f' | {"Table 4":>7} | {"diff":>6}'
    print(header)
    print('-' * len(header))
    for ratio, stats in rows:
        line = (f'{"cfg" if ratio is None else f"{ratio:.2f}":>5} | {stats["layer_gmacs"]:20.2f} | '
                f'{stats["attention_gmacs"]:9.2f} | {stats["other_gmacs"]:6.2f}')
        if paper_cols and ratio in TABLE4_GFLOPS:
            paper = TABLE4_GFLOPS[ratio]
            line += f' | {paper:7.1f} | {100 * (stats["layer_gmacs"] / paper - 1):+5.1f}%'
        print(line)


if __name__ == '__main__':
    main()
