"""The photographs the built-in benchmark is made of, and the cut-outs taken from them.

All pictures are sample images that ship **inside the scikit-image wheel** (the "legacy"
images of ``skimage/data``, present without any download); they are read straight from that
folder, never fetched. Sources and licences, as stated by scikit-image's ``skimage.data``
docstrings:

* ``astronaut.png``: Eileen Collins, NASA astronaut (NASA Great Images); public domain.
* ``chelsea.png``: Chelsea the cat (Stefan van der Walt); CC0.
* ``coffee.png``: coffee cup (Rachel Michetti, Pikolo Espresso Bar); CC0.
* ``coins.png``: Greek coins from Pompeii (Brooklyn Museum Collection); no known copyright
  restrictions.
* ``rocket.jpg``: launch of DSCOVR on a Falcon 9 (SpaceX); public domain.
* ``camera.png``: man with a camera on a tripod (Lav Varshney); CC0.
* ``hubble_deep_field.jpg``: Hubble eXtreme Deep Field (NASA); public domain.
* ``ihc.png``: immunohistochemistry of colonic glands (CMMI); no known copyright restrictions.
* ``retina.jpg``: fundus photograph of a normal left eye (Mikael Haggstrom, Wikimedia
  Commons); CC0 1.0.
* ``brick.png``, ``gravel.png``: brick wall, gravel (CC0Textures); CC0.
* ``grass.png``: grass (linolafett, DeviantArt); CC0.
* ``horse.png``: horse silhouette, used only as an occluder outline (Andreas Preuss,
  openclipart); CC0.

:data:`PHOTO_SOURCES` holds the same table for programs (the manifest of a generated benchmark
copies it, with the SHA-256 of each file actually used).
"""
import hashlib
import importlib.util
import os.path as osp
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import cv2
import numpy as np

from .sprites import Sprite, superellipse_alpha


@dataclass(frozen=True)
class PhotoSource:
    """A picture bundled with scikit-image, with its provenance.

    Attributes:
        filename (str): File name inside the installed ``skimage/data`` folder.
        title (str): What the picture shows.
        credit (str): Author / source.
        licence (str): Licence as stated by scikit-image.
        url (str): Where scikit-image says it comes from.
    """

    filename: str
    title: str
    credit: str
    licence: str
    url: str


PHOTO_SOURCES: Dict[str, PhotoSource] = {
    'astronaut': PhotoSource('astronaut.png', 'Eileen Collins, NASA astronaut',
                             'NASA Great Images database', 'public domain',
                             'https://flic.kr/p/r9qvLn'),
    'chelsea': PhotoSource('chelsea.png', 'Chelsea the cat', 'Stefan van der Walt', 'CC0',
                           'https://github.com/scikit-image/scikit-image'),
    'coffee': PhotoSource('coffee.png', 'Coffee cup', 'Rachel Michetti, Pikolo Espresso Bar',
                          'CC0', 'https://github.com/scikit-image/scikit-image'),
    'coins': PhotoSource('coins.png', 'Greek coins from Pompeii', 'Brooklyn Museum Collection',
                         'no known copyright restrictions',
                         'https://www.brooklynmuseum.org/opencollection/archives/image/51611'),
    'rocket': PhotoSource('rocket.jpg', 'Launch of DSCOVR on a Falcon 9', 'SpaceX',
                          'public domain',
                          'https://www.flickr.com/photos/spacexphotos/16511594820/'),
    'camera': PhotoSource('camera.png', 'Man with a camera on a tripod', 'Lav Varshney', 'CC0',
                          'https://github.com/scikit-image/scikit-image/issues/3927'),
    'hubble_deep_field': PhotoSource(
        'hubble_deep_field.jpg', 'Hubble eXtreme Deep Field', 'NASA', 'public domain',
        'http://hubblesite.org/newscenter/archive/releases/2012/37/image/a/'),
    'ihc': PhotoSource('ihc.png', 'Immunohistochemical staining of colonic glands',
                       'Center for Microscopy And Molecular Imaging (CMMI)',
                       'no known copyright restrictions',
                       'https://github.com/scikit-image/scikit-image'),
    'retina': PhotoSource(
        'retina.jpg', 'Fundus photograph of a normal left eye', 'Mikael Haggstrom', 'CC0 1.0',
        'https://commons.wikimedia.org/wiki/File:Fundus_photograph_of_normal_left_eye.jpg'),
    'brick': PhotoSource('brick.png', 'Brick wall', 'CC0Textures (Bricks25)', 'CC0',
                         'https://cc0textures.com/view.php?tex=Bricks25'),
    'grass': PhotoSource('grass.png', 'Grass', 'linolafett (DeviantArt)', 'CC0',
                         'https://www.deviantart.com/linolafett/art/Grass-01-434853879'),
    'gravel': PhotoSource('gravel.png', 'Gravel', 'CC0Textures (Gravel04)', 'CC0',
                          'https://cc0textures.com/view.php?tex=Gravel04'),
    'horse': PhotoSource('horse.png', 'Horse silhouette', 'Andreas Preuss (marauder), openclipart',
                         'CC0', 'http://openclipart.org/detail/158377/horse-by-marauder'),
}


@dataclass(frozen=True)
class Cutout:
    """A target object cut from a photo with a soft superellipse matte.

    Attributes:
        name (str): Identifier.
        photo (str): Key of :data:`PHOTO_SOURCES`.
        centre_xy (tuple[int, int]): Centre of the matte in the photo, pixels.
        semi_axes (tuple[float, float]): Semi-axes (a, b) of the matte, photo pixels.
        exponent (float): Superellipse exponent (2 = ellipse).
        tint_bgr (tuple | None): Per-channel gain that colours a grey photo (None = as is).
        object_class (str): ``object_class`` of ``meta_info.ini``.
        major_class (str): ``major_class`` of ``meta_info.ini``.
        root_class (str): ``root_class`` of ``meta_info.ini``.
    """

    name: str
    photo: str
    centre_xy: Tuple[int, int]
    semi_axes: Tuple[float, float]
    exponent: float
    tint_bgr: Optional[Tuple[float, float, float]]
    object_class: str
    major_class: str
    root_class: str


_BRONZE = (0.45, 0.68, 0.95)
_SILVER = (1.0, 0.97, 0.93)
_GOLD = (0.35, 0.80, 1.0)

#: Target objects. Coins come in three metals, so coin videos have natural look-alikes too.
CUTOUTS: Tuple[Cutout, ...] = (
    Cutout('astronaut_face', 'astronaut', (227, 97), (66, 80), 2.0, None, 'face', 'person',
           'organism'),
    Cutout('cat_face', 'chelsea', (248, 150), (172, 146), 2.2, None, 'domestic cat', 'cat',
           'organism'),
    Cutout('coffee_cup', 'coffee', (280, 222), (198, 160), 2.0, None, 'coffee cup', 'cup',
           'artifact'),
    Cutout('bronze_coin', 'coins', (334, 44), (28, 26), 2.0, _BRONZE, 'coin', 'coin', 'artifact'),
    Cutout('silver_coin', 'coins', (347, 186), (30, 29), 2.0, _SILVER, 'coin', 'coin', 'artifact'),
    Cutout('gold_coin', 'coins', (46, 260), (27, 26), 2.0, _GOLD, 'coin', 'coin', 'artifact'),
    Cutout('rocket', 'rocket', (322, 262), (22, 136), 3.0, None, 'rocket', 'rocket', 'artifact'),
    Cutout('cameraman', 'camera', (238, 152), (96, 88), 2.0, (0.95, 1.0, 1.04), 'person',
           'person', 'organism'),
    Cutout('spiral_galaxy', 'hubble_deep_field', (122, 400), (25, 25), 2.0, None, 'galaxy',
           'galaxy', 'natural object'),
)


@dataclass(frozen=True)
class Backdrop:
    """A photo used as background or as occluder texture.

    Attributes:
        photo (str): Key of :data:`PHOTO_SOURCES`.
        region_xyxy (tuple | None): Part of the photo to use (x1, y1, x2, y2), pixels.
        tint_bgr (tuple | None): Per-channel gain that colours a grey photo.
    """

    photo: str
    region_xyxy: Optional[Tuple[int, int, int, int]] = None
    tint_bgr: Optional[Tuple[float, float, float]] = None


_BRICK = (0.50, 0.58, 0.92)
_GRASS = (0.40, 0.88, 0.52)
_GRAVEL = (0.82, 0.90, 1.0)

#: Backgrounds (the camera pans and zooms slowly over a random part of one of them).
BACKGROUNDS: Tuple[Backdrop, ...] = (
    Backdrop('astronaut'),
    Backdrop('chelsea'),
    Backdrop('coffee'),
    Backdrop('rocket'),
    Backdrop('hubble_deep_field'),
    Backdrop('ihc'),
    Backdrop('retina', (260, 260, 1150, 1150)),
    Backdrop('camera', tint_bgr=(0.92, 1.0, 1.05)),
    Backdrop('brick', tint_bgr=_BRICK),
    Backdrop('grass', tint_bgr=_GRASS),
    Backdrop('gravel', tint_bgr=_GRAVEL),
)

#: Textures of occluders (patches of another photo that pass over the target).
OCCLUDER_TEXTURES: Tuple[Backdrop, ...] = (
    Backdrop('brick', tint_bgr=_BRICK),
    Backdrop('gravel', tint_bgr=_GRAVEL),
    Backdrop('grass', tint_bgr=_GRASS),
    Backdrop('ihc'),
    Backdrop('coffee', (400, 200, 600, 400)),
    Backdrop('retina', (300, 300, 1100, 1100)),
)

#: Outlines of occluders: a rounded board, an ellipse, or the horse silhouette.
OCCLUDER_SHAPES = ('board', 'ellipse', 'horse')

#: Backgrounds / textures are shrunk to at most this many times the frame size, so that the
#: camera zoom stays in a range where bilinear resampling does not alias.
_MAX_BACKDROP_ZOOM = 2.0


def skimage_data_dir() -> str:
    """Folder of the sample images installed with scikit-image.

    Raises:
        ImportError: If scikit-image is not installed.
    """
    spec = importlib.util.find_spec('skimage')
    if spec is None or not spec.submodule_search_locations:
        raise ImportError('The built-in benchmark is made from the sample photographs that ship '
                          'with scikit-image: `pip install scikit-image`.')
    return osp.join(list(spec.submodule_search_locations)[0], 'data')


class PhotoLibrary:
    """Loads the bundled photos once and prepares cut-outs, backgrounds and occluders.

    Everything is cached, so one library serves all videos of a benchmark.

    Args:
        data_dir (str, optional): Folder with the photo files. Defaults to
            :func:`skimage_data_dir`.
    """

    def __init__(self, data_dir: Optional[str] = None):
        self.data_dir = data_dir or skimage_data_dir()
        self._photos: Dict[str, np.ndarray] = {}
        self._cache: Dict[tuple, object] = {}

    def photo_path(self, name: str) -> str:
        """Path of photo ``name`` (a key of :data:`PHOTO_SOURCES`)."""
        return osp.join(self.data_dir, PHOTO_SOURCES[name].filename)

    def photo(self, name: str) -> np.ndarray:
        """Photo ``name`` as (H, W, 3) uint8 BGR (grey photos are replicated to 3 channels).

        Raises:
            FileNotFoundError: If the file is not in the scikit-image data folder.
        """
        if name not in self._photos:
            path = self.photo_path(name)
            image = cv2.imread(path, cv2.IMREAD_COLOR)
            if image is None:
                raise FileNotFoundError(
                    f'Photo {path} is missing: the built-in benchmark needs the sample images '
                    f'bundled with scikit-image (reinstall scikit-image).')
            self._photos[name] = image
        return self._photos[name]

    def sha256(self, name: str) -> str:
        """SHA-256 of the file of photo ``name``."""
        with open(self.photo_path(name), 'rb') as f:
            return hashlib.sha256(f.read()).hexdigest()

    def target_sprite(self, index: int,
                      colour_change: Optional[Tuple[float, float, float]] = None) -> Sprite:
        """Sprite of cut-out ``CUTOUTS[index]``, optionally recoloured (a look-alike).

        Args:
            index (int): Index in :data:`CUTOUTS`.
            colour_change (tuple, optional): (hue shift in degrees, saturation gain, value
                gain) applied in HSV space; None keeps the photo's colours.
        """
        key = ('target', index, colour_change)
        if key not in self._cache:
            cut = CUTOUTS[index]
            a, b = cut.semi_axes
            half_w, half_h = int(np.ceil(a)) + 3, int(np.ceil(b)) + 3
            cx, cy = cut.centre_xy
            photo = self.photo(cut.photo)
            x1, y1, x2, y2 = cx - half_w, cy - half_h, cx + half_w + 1, cy + half_h + 1
            assert 0 <= x1 and 0 <= y1 and x2 <= photo.shape[1] and y2 <= photo.shape[0], \
                f'cut-out {cut.name} exceeds its photo'
            bgr = _tint(photo[y1:y2, x1:x2], cut.tint_bgr)
            if colour_change is not None:
                bgr = _recolour(bgr, *colour_change)
            alpha = superellipse_alpha((x2 - x1, y2 - y1), (a, b), cut.exponent)
            self._cache[key] = Sprite.from_image(bgr, alpha)
        return self._cache[key]

    def backdrop(self, backdrop: Backdrop, frame_wh: Tuple[int, int]) -> np.ndarray:
        """A background / texture photo: cropped, tinted, shrunk to at most twice the frame.

        Args:
            backdrop (Backdrop): Which photo and how.
            frame_wh (tuple[int, int]): Frame (width, height), pixels.

        Returns:
            np.ndarray: (h, w, 3) uint8 BGR.
        """
        key = ('backdrop', backdrop, tuple(frame_wh))
        if key not in self._cache:
            image = self.photo(backdrop.photo)
            if backdrop.region_xyxy is not None:
                x1, y1, x2, y2 = backdrop.region_xyxy
                image = image[y1:y2, x1:x2]
            image = _tint(image, backdrop.tint_bgr)
            h, w = image.shape[:2]
            shrink = min(1.0, _MAX_BACKDROP_ZOOM * frame_wh[0] / w,
                         _MAX_BACKDROP_ZOOM * frame_wh[1] / h)
            if shrink < 1.0:
                size = (int(round(w * shrink)), int(round(h * shrink)))
                image = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
            self._cache[key] = image
        return self._cache[key]

    def occluder_sprite(self, texture: int, shape: str, size_wh: Tuple[int, int],
                        crop_frac_xy: Tuple[float, float], frame_wh: Tuple[int, int]) -> Sprite:
        """Sprite of an occluder: a patch of a texture photo with outline ``shape``.

        Args:
            texture (int): Index in :data:`OCCLUDER_TEXTURES`.
            shape (str): One of :data:`OCCLUDER_SHAPES`.
            size_wh (tuple[int, int]): Size on screen (width, height), frame pixels.
            crop_frac_xy (tuple[float, float]): Where the patch is taken, as fractions in
                [0, 1] of the free room of the texture along x and y.
            frame_wh (tuple[int, int]): Frame (width, height), pixels.
        """
        key = ('occluder', texture, shape, tuple(size_wh), tuple(crop_frac_xy), tuple(frame_wh))
        if key not in self._cache:
            image = self.backdrop(OCCLUDER_TEXTURES[texture], frame_wh)
            w, h = size_wh
            th, tw = image.shape[:2]
            cw, ch = min(w, tw), min(h, th)
            x1 = int(round(crop_frac_xy[0] * (tw - cw)))
            y1 = int(round(crop_frac_xy[1] * (th - ch)))
            patch = cv2.resize(image[y1:y1 + ch, x1:x1 + cw], (w + 4, h + 4),
                               interpolation=cv2.INTER_LINEAR)
            self._cache[key] = Sprite.from_image(patch, _outline_alpha(self, shape, (w, h)))
        return self._cache[key]


def _outline_alpha(library: PhotoLibrary, shape: str, size_wh: Tuple[int, int]) -> np.ndarray:
    """(h + 4, w + 4) alpha of an occluder outline of size ``size_wh`` with a 2-pixel border."""
    w, h = size_wh
    if shape == 'board':
        return superellipse_alpha((w + 4, h + 4), (w / 2.0, h / 2.0), 10.0, feather=1.0)
    if shape == 'ellipse':
        return superellipse_alpha((w + 4, h + 4), (w / 2.0, h / 2.0), 2.0, feather=1.0)
    if shape == 'horse':
        grey = library.photo('horse')[..., 0].astype(np.float32)
        alpha = cv2.resize(1.0 - grey / 255.0, (w, h), interpolation=cv2.INTER_AREA)
        return cv2.copyMakeBorder(alpha, 2, 2, 2, 2, cv2.BORDER_CONSTANT, value=0.0)
    raise ValueError(f'Unknown occluder shape {shape!r}; known: {OCCLUDER_SHAPES}.')


def _tint(image: np.ndarray, tint_bgr: Optional[Tuple[float, float, float]]) -> np.ndarray:
    """Multiply the channels of a uint8 BGR image by ``tint_bgr`` (None: unchanged)."""
    if tint_bgr is None:
        return image
    tinted = image.astype(np.float32) * np.asarray(tint_bgr, dtype=np.float32)
    return np.clip(np.rint(tinted), 0, 255).astype(np.uint8)


def _recolour(image: np.ndarray, hue_shift_deg: float, saturation_gain: float,
              value_gain: float) -> np.ndarray:
    """Shift hue and scale saturation / value of a uint8 BGR image."""
    hsv = cv2.cvtColor(image, cv2.COLOR_BGR2HSV).astype(np.float32)
    hsv[..., 0] = np.mod(hsv[..., 0] + hue_shift_deg / 2.0, 180.0)  # OpenCV hue: 0 .. 180
    hsv[..., 1] *= saturation_gain
    hsv[..., 2] *= value_gain
    hsv = np.clip(np.rint(hsv), 0, [179, 255, 255]).astype(np.uint8)
    return cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
