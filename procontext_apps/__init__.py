"""Applications built on the ``procontext_mm`` library: jobs that print, plot and keep state.

* :mod:`.builtin_benchmark` -- generates a small SOT benchmark from real photographs, in the
  GOT-10k layout (needs scikit-image: ``pip install -e .[apps]``);
* :mod:`.quickstart` -- the main job of ``tools/quickstart.py``;
* :mod:`.paper_tables` -- the paper's Tables 1-4 as rows of configs
  (``tools/analysis_tools/run_table.py``);
* :mod:`.reference_impl` -- the authors' network and tracker imported from a checkout of their
  repository (``compare_with_reference.py``, ``benchmark.py --reference-repo``);
* :mod:`.param_search` -- test-time settings searched on a validation split, ranked, the best
  written as a config (``tools/analysis_tools/search_params.py``);
* :mod:`.tracker_runs`, :mod:`.run_folder`, :mod:`.text_table` -- what these jobs share: a
  config trained / tested in this process, a resumable output folder, plain-text tables.

The library never imports this package; these modules import the library.
"""
