"""The render benchmark's timeline in MoviePy 2.x: the same stills with the same Ken Burns zooms, the same video
cut, the same titles and the same 0.6 s dissolves, at 1920x1080, 30 fps, libx264 veryfast CRF 23."""
import sys
from moviepy import (ColorClip, CompositeVideoClip, ImageClip, TextClip, VideoFileClip, concatenate_videoclips, vfx)

MEDIA = sys.argv[1]
OUT = sys.argv[2]
W, H, FPS, D, T = 1920, 1080, 30, 4.0, 0.6
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"


def cover(clip):
    scale = max(W / clip.w, H / clip.h)
    return clip.resized(scale)


def ken_burns(path, zoom_from, zoom_to):
    base = cover(ImageClip(path).with_duration(D))
    moving = base.resized(lambda t: zoom_from + (zoom_to - zoom_from) * t / D).with_position("center")
    return CompositeVideoClip([moving], size=(W, H)).with_duration(D)


def title(text, size, position):
    clip = TextClip(font=FONT, text=text, font_size=size, color="white", stroke_color="black", stroke_width=4,
                    margin=(10, 10))
    return clip.with_duration(D).with_position(position)


def scene(background, text, size, position="center"):
    return CompositeVideoClip([background, title(text, size, position)], size=(W, H)).with_duration(D)


video = cover(VideoFileClip(f"{MEDIA}/vtest.avi", audio=False).subclipped(2, 6)).with_position("center")
scenes = [
    scene(ken_burns(f"{MEDIA}/messi5.jpg", 1.0, 1.15), "Phim render benchmark", 96),
    scene(ken_burns(f"{MEDIA}/fruits.jpg", 1.15, 1.0), "Ken Burns stills", 72, ("center", "bottom")),
    scene(CompositeVideoClip([video], size=(W, H)).with_duration(D), "A video clip", 72, ("center", "top")),
    scene(ken_burns(f"{MEDIA}/starry_night.jpg", 1.0, 1.2), "Đêm đầy sao", 96),
    scene(ken_burns(f"{MEDIA}/baboon.jpg", 1.2, 1.0), "The end", 96),
]
faded = [scenes[0]] + [s.with_effects([vfx.CrossFadeIn(T)]) for s in scenes[1:]]
final = concatenate_videoclips(faded, padding=-T, method="compose")
final.write_videofile(OUT, fps=FPS, codec="libx264", preset="veryfast", ffmpeg_params=["-crf", "23", "-pix_fmt", "yuv420p"],
                      audio=False, logger=None)
