"""Demo course pictures, drawn with Pillow (no image is downloaded): three simple scenes,
each with the alt text that says what it shows."""

import io

from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images.models import Image

WIDTH, HEIGHT = 1200, 675
BLUE, RED, WHITE = (0, 0, 145), (225, 0, 15), (255, 255, 255)


def _sky(draw, top, bottom):
    for y in range(HEIGHT):
        t = y / HEIGHT
        draw.line([(0, y), (WIDTH, y)], fill=tuple(int(a + (b - a) * t)
                                                   for a, b in zip(top, bottom, strict=True)))


def _landscape(draw):
    _sky(draw, (120, 180, 235), (210, 235, 250))
    draw.ellipse([930, 70, 1080, 220], fill=(250, 205, 40))
    draw.ellipse([-200, 420, 700, 900], fill=(70, 150, 70))
    draw.ellipse([450, 460, 1400, 950], fill=(95, 170, 85))
    for x, y in [(260, 430), (420, 470), (760, 480)]:
        draw.rectangle([x - 12, y, x + 12, y + 90], fill=(110, 70, 40))
        draw.ellipse([x - 70, y - 130, x + 70, y + 20], fill=(40, 110, 50))
    return "Dessin : des collines vertes, trois arbres et un soleil jaune sous un ciel bleu."


def _screen(draw):
    _sky(draw, (225, 230, 245), (245, 245, 250))
    draw.rectangle([0, 540, WIDTH, HEIGHT], fill=(170, 120, 80))
    draw.rectangle([300, 90, 900, 470], fill=(40, 40, 60))
    draw.rectangle([325, 115, 875, 445], fill=(60, 110, 200))
    for n, color in enumerate([(250, 205, 40), (95, 200, 120), (240, 120, 90), WHITE]):
        x = 365 + n * 125
        draw.rounded_rectangle([x, 200, x + 95, 295], radius=16, fill=color)
    draw.rectangle([560, 470, 640, 540], fill=(40, 40, 60))
    draw.rectangle([470, 530, 730, 545], fill=(40, 40, 60))
    return ("Dessin : un écran d'ordinateur posé sur un bureau, qui affiche quatre carrés "
            "de couleur.")


def _town_hall(draw):
    _sky(draw, (150, 190, 240), (230, 240, 252))
    draw.rectangle([0, 560, WIDTH, HEIGHT], fill=(120, 170, 90))
    draw.rectangle([350, 260, 850, 560], fill=(240, 225, 200))
    draw.polygon([(320, 260), (600, 120), (880, 260)], fill=(90, 90, 110))
    draw.rectangle([560, 440, 640, 560], fill=(110, 70, 40))
    for x in (400, 480, 700, 780):
        draw.rectangle([x, 320, x + 45, 390], fill=(90, 130, 190))
    draw.line([(600, 120), (600, 30)], fill=(60, 60, 60), width=6)
    for n, color in enumerate((BLUE, WHITE, RED)):
        draw.rectangle([603 + n * 30, 32, 633 + n * 30, 82], fill=color)
    for x in (120, 960):
        draw.rectangle([x, 400, x + 140, 560], fill=(235, 215, 185))
        draw.polygon([(x - 15, 400), (x + 70, 330), (x + 155, 400)], fill=(170, 70, 50))
    return ("Dessin : une mairie au drapeau bleu, blanc, rouge entre deux maisons, sous un "
            "ciel bleu.")


SCENES = {"landscape": _landscape, "screen": _screen, "town_hall": _town_hall}


def demo_image(scene):
    """The Wagtail image of a scene (made once) and its alt text."""
    picture = PILImage.new("RGB", (WIDTH, HEIGHT))
    alt = SCENES[scene](ImageDraw.Draw(picture))
    title = f"Illustration de démonstration ({scene})"
    image = Image.objects.filter(title=title).first()
    if image is None:
        data = io.BytesIO()
        picture.save(data, format="PNG")
        image = Image(title=title, description=alt)
        image.file.save(f"demo-{scene}.png", ImageFile(data, name=f"demo-{scene}.png"),
                        save=False)
        image.save()
    return image, alt
