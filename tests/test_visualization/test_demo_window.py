import cv2
import numpy as np
import pytest

from procontext_mm.visualization import DemoWindow, display_available
from procontext_mm.visualization import demo_video


def test_display_available_follows_the_session(monkeypatch):
    monkeypatch.setattr(demo_video.sys, 'platform', 'linux')
    monkeypatch.delenv('DISPLAY', raising=False)
    monkeypatch.delenv('WAYLAND_DISPLAY', raising=False)
    assert not display_available()
    with pytest.raises(RuntimeError, match=r'No display \(\$DISPLAY'):
        DemoWindow()
    monkeypatch.setenv('WAYLAND_DISPLAY', 'wayland-0')
    assert display_available()
    monkeypatch.setattr(demo_video.sys, 'platform', 'win32')
    monkeypatch.delenv('WAYLAND_DISPLAY')
    assert display_available()


@pytest.fixture
def fake_gui(monkeypatch):
    """OpenCV's window calls replaced: the keys 'pressed' are taken from a list."""
    monkeypatch.setenv('DISPLAY', ':99')
    calls = dict(keys=[], shown=[], visible=1., destroyed=[])
    monkeypatch.setattr(cv2, 'imshow', lambda name, image: calls['shown'].append(image))
    monkeypatch.setattr(cv2, 'waitKey',
                        lambda ms: calls['keys'].pop(0) if calls['keys'] else -1)
    monkeypatch.setattr(cv2, 'getWindowProperty', lambda name, prop: calls['visible'])
    monkeypatch.setattr(cv2, 'destroyWindow', lambda name: calls['destroyed'].append(name))
    return calls


@pytest.mark.parametrize('key, reason', [(ord('q'), 'q pressed in the window'),
                                         (27, 'Esc pressed in the window'),
                                         (ord('q') | 0x100, 'q pressed in the window')])
def test_q_and_esc_stop(fake_gui, key, reason):
    window = DemoWindow('demo')
    image = np.zeros((4, 4, 3), np.uint8)
    fake_gui['keys'] = [ord('a'), key]
    assert window.show(image) is None  # another key: go on
    assert window.show(image) == reason
    window.close()
    assert len(fake_gui['shown']) == 2 and fake_gui['destroyed'] == ['demo']


def test_closing_the_window_stops(fake_gui):
    window = DemoWindow()
    image = np.zeros((4, 4, 3), np.uint8)
    assert window.show(image) is None
    fake_gui['visible'] = 0.
    assert window.show(image) == 'window closed'


def test_opencv_without_gui_is_explained(fake_gui, monkeypatch):
    def no_gui(name, image):
        raise cv2.error('The function is not implemented')

    monkeypatch.setattr(cv2, 'imshow', no_gui)
    with pytest.raises(RuntimeError, match='opencv-python-headless'):
        DemoWindow().show(np.zeros((4, 4, 3), np.uint8))
