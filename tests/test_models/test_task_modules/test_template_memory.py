import numpy as np
import pytest

from procontext_mm.models.task_modules import TemplateMemory, build_template_memory
from procontext_mm.structures import crop_square


def _frame(value=0, seed=0):
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (80, 100, 3)) // 2 + value).astype(np.uint8)


def test_reset_crops_static_and_copies_dynamic():
    memory = TemplateMemory(static_factors=(2.0, 4.0), dynamic_factors=(2.0, 4.0), template_size=32)
    frame = _frame()
    memory.reset(frame, [30, 20, 16, 12])
    assert memory.num_templates == 4
    expected_static = [crop_square(frame, [30, 20, 16, 12], f, 32)[0] for f in (2.0, 4.0)]
    for got, exp in zip(memory.templates, expected_static + expected_static):
        np.testing.assert_array_equal(got, exp)
    memory.templates[2][:] = 0  # dynamic crops are copies, not views of the static ones
    assert memory.templates[0].any()


def test_dynamic_factor_without_static_twin_is_cropped_from_first_frame():
    memory = TemplateMemory(static_factors=(2.0, ), dynamic_factors=(3.0, ), template_size=32)
    frame = _frame()
    memory.reset(frame, [30, 20, 16, 12])
    np.testing.assert_array_equal(memory.templates[1],
                                  crop_square(frame, [30, 20, 16, 12], 3.0, 32)[0])


def test_update_policy_interval_and_strict_threshold():
    memory = TemplateMemory(update_interval=100, score_threshold=0.7, template_size=32)
    memory.reset(_frame(), [30, 20, 16, 12])
    assert not memory.should_update(99, 0.99)
    assert not memory.should_update(100, 0.7)  # strictly above tau
    assert memory.should_update(100, 0.71)
    assert memory.should_update(200, 0.9)
    version = memory.version
    assert memory.observe(_frame(seed=1), [10, 10, 20, 20], 100, 0.9)
    assert memory.version == version + 1 and memory.update_frames == [100]
    np.testing.assert_array_equal(memory.templates[3],
                                  crop_square(_frame(seed=1), [10, 10, 20, 20], 4.0, 32)[0])
    # static crops never change
    np.testing.assert_array_equal(memory.templates[0],
                                  crop_square(_frame(), [30, 20, 16, 12], 2.0, 32)[0])


def test_no_dynamic_templates_never_updates():
    memory = build_template_memory(
        dict(static_factors=(2.0, ), dynamic_factors=(), template_size=32))
    memory.reset(_frame(), [30, 20, 16, 12])
    assert memory.num_templates == 1
    assert not memory.observe(_frame(), [30, 20, 16, 12], 100, 1.0)


def test_update_interval_none_keeps_the_first_frames_dynamic_crops():
    memory = TemplateMemory(template_size=32, update_interval=None, score_threshold=0.)
    memory.reset(_frame(seed=0), [30, 20, 16, 12])
    first = [t.copy() for t in memory.templates]
    for index in range(1, 201):
        assert not memory.observe(_frame(seed=index), [5, 5, 20, 20], index, 1.)
    assert memory.update_frames == []
    for got, expected in zip(memory.templates, first):
        np.testing.assert_array_equal(got, expected)


def test_reset_forgets_previous_video():
    memory = TemplateMemory(template_size=32, update_interval=1, score_threshold=0.)
    memory.reset(_frame(seed=0), [30, 20, 16, 12])
    memory.observe(_frame(seed=1), [5, 5, 20, 20], 1, 1.)
    memory.reset(_frame(seed=2), [40, 30, 10, 10])
    assert memory.update_frames == []
    expected = crop_square(_frame(seed=2), [40, 30, 10, 10], 2.0, 32)[0]
    np.testing.assert_array_equal(memory.templates[2], expected)


def test_use_before_reset_and_bad_configs_raise():
    with pytest.raises(RuntimeError, match='reset'):
        TemplateMemory().templates
    with pytest.raises(ValueError, match='static factor'):
        TemplateMemory(static_factors=())
    with pytest.raises(ValueError, match='update_interval'):
        TemplateMemory(update_interval=0)


def test_labels_name_each_crop_in_template_order():
    memory = TemplateMemory(static_factors=(2.0, 2.5), dynamic_factors=(4.0, ), template_size=32)
    assert memory.labels == ['S2', 'S2.5', 'D4']
    memory.reset(_frame(), [30, 20, 16, 12])
    assert len(memory.labels) == len(memory.templates) == memory.num_templates
    assert TemplateMemory(static_factors=(2.0, ), dynamic_factors=()).labels == ['S2']
