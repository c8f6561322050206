"""Synthetic demo data in the clinic's source layout.

demo_data_write() writes a DuckDB file holding the table medical_examinations_fact,
with the 14 columns of the clinic's export and plausible content: common modalities
and items, Latin and Chinese names, patients with several exams, NULLs where the
source leaves gaps, and order, check-in and report times in a believable sequence.
Beside it, the table reports holds radiology report findings for those exams: a final
report per certified exam (a few amended later), preliminary ones for some exams still
under way, and a few orphans whose exam is not in the file. The findings are short
template sentences in English, Chinese, German, French and Spanish that fit the exam;
chest CT and X-ray findings mention lung nodules with and without sizes, or negate them.
It is for demos, manual tests and benchmarks, where real patient data must never go.

The same rows and seed always give the same tables: every value comes from
random.Random(seed) (the reports from their own random.Random, so that adding them left
the examinations unchanged) over a fixed three-year window, never from the clock or from
DuckDB's random(), whose sequence may change between versions.
"""

from __future__ import annotations

import math
import os
import pathlib
import random
import uuid
from datetime import datetime
from itertools import accumulate

import duckdb

TABLE = "medical_examinations_fact"
COLUMNS = (
    ("exam_id", "VARCHAR"),
    ("medical_record_no", "VARCHAR"),
    ("application_order_no", "VARCHAR"),
    ("patient_name", "VARCHAR"),
    ("patient_gender", "VARCHAR"),
    ("patient_age", "INTEGER"),
    ("exam_status", "VARCHAR"),
    ("exam_source", "VARCHAR"),
    ("exam_item", "VARCHAR"),
    ("exam_description", "VARCHAR"),
    ("order_datetime", "TIMESTAMP"),
    ("check_in_datetime", "TIMESTAMP"),
    ("report_certification_datetime", "TIMESTAMP"),
    ("certified_physician", "VARCHAR"),
)
REPORTS_TABLE = "reports"
REPORT_COLUMNS = (
    ("report_id", "VARCHAR"),
    ("exam_id", "VARCHAR"),
    ("findings", "VARCHAR"),
    ("radiologist", "VARCHAR"),
    ("created_at", "TIMESTAMP"),
    ("status", "VARCHAR"),
)

# (exam_source, weight, median minutes from order to check-in, (exam_item, indication)
# pairs with the common items first)
MODALITIES = (
    ("CT", 24, 45, (
        ("Chest CT", "Follow-up of a known pulmonary nodule."),
        ("Head CT", "Headache after a fall; rule out intracranial bleeding."),
        ("Abdominal CT", "Right lower quadrant pain; suspected appendicitis."),
        ("CT pulmonary angiography", "Shortness of breath and raised D-dimer; rule out embolism."),
        ("Lumbar spine CT", "Back pain after a car accident."),
        ("Sinus CT", "Chronic sinusitis not responding to antibiotics."))),
    ("X-ray", 26, 15, (
        ("Chest X-ray", "Cough and fever for five days."),
        ("Knee X-ray", "Chronic knee pain, suspected osteoarthritis."),
        ("Wrist X-ray", "Fall on outstretched hand; rule out fracture."),
        ("Ankle X-ray", "Twisted ankle playing football."),
        ("Pelvis X-ray", "Hip pain after a fall at home."),
        ("Hand X-ray", "Swollen finger joints; rheumatoid arthritis?"))),
    ("US", 20, 30, (
        ("Abdominal US", "Right upper quadrant pain after meals; gallstones?"),
        ("Thyroid US", "Palpable thyroid nodule."),
        ("Renal US", "Raised creatinine; assess kidney size."),
        ("Obstetric US", "Routine second-trimester scan."),
        ("Breast US", "Palpable lump in the left breast."),
        ("Carotid Doppler US", "Dizziness; assess carotid stenosis."))),
    ("MRI", 10, 90, (
        ("Brain MRI", "Recurrent headaches with visual aura."),
        ("Knee MRI", "Locking knee after a sports injury."),
        ("Lumbar spine MRI", "Low back pain radiating to the left leg."),
        ("Shoulder MRI", "Painful arc; suspected rotator cuff tear."),
        ("Cervical spine MRI", "Neck pain with tingling in both hands."),
        ("Prostate MRI", "Rising PSA; assess for prostate cancer."))),
    ("DX", 8, 12, (
        ("Chest radiograph PA/lateral", "Routine occupational health check."),
        ("Lumbar spine radiograph", "Back pain for six weeks."),
        ("Hip radiograph", "Hip pain when walking."),
        ("Bone age radiograph", "Short stature; assess bone age."))),
    ("MG", 6, 20, (
        ("Screening mammography", "Biennial screening, no complaints."),
        ("Diagnostic mammography", "Palpable lump in the right breast."))),
    ("NM", 4, 60, (
        ("Bone scintigraphy", "Staging of known breast cancer."),
        ("Thyroid scintigraphy", "Hyperthyroidism; hot nodule?"),
        ("Myocardial perfusion scan", "Exertional chest pain; assess ischaemia."))),
    ("PET-CT", 2, 75, (
        ("Whole-body FDG PET-CT", "Staging of newly diagnosed lymphoma."),
        ("PSMA PET-CT", "Biochemical recurrence of prostate cancer."))),
)
# Items a patient of this gender is never sent for.
NOT_FOR = {"Obstetric US": "M", "Breast US": "M", "Screening mammography": "M",
           "Diagnostic mammography": "M", "Prostate MRI": "F", "PSMA PET-CT": "F"}
# Descriptions that fit any item.
GENERIC_DESCRIPTIONS = ("Follow-up; compare with the previous examination.",
                        "Post-operative control.", "Referred by the general practitioner.",
                        "Requested by the emergency department.")

STATUSES = ("completed", "scheduled", "pending", "cancelled", "in_progress", "failed")
STATUS_WEIGHTS = (80, 6, 5, 5, 3, 1)
CHECKED_IN = frozenset({"completed", "in_progress", "failed"})

HOURS = tuple(range(7, 20))
HOUR_WEIGHTS = (3, 9, 11, 11, 10, 6, 7, 9, 8, 7, 5, 3, 2)  # busy mornings, quiet lunch

# (male given names, female given names, surnames) per language
LATIN_NAMES = (
    (("James", "Michael", "David", "Thomas", "Daniel"),
     ("Mary", "Emma", "Sarah", "Olivia", "Grace"),
     ("Smith", "Johnson", "Brown", "Taylor", "O'Brien", "Walker")),
    (("Jürgen", "Lukas", "Matthias", "Jörg", "Stefan"),
     ("Käthe", "Anna", "Jutta", "Sabine", "Lena"),
     ("Müller", "Schröder", "Weiß", "Köhler", "Groß", "Bäcker")),
    (("François", "Étienne", "Jean", "Loïc", "Hervé"),
     ("Hélène", "Chloé", "Amélie", "Léa", "Zoé"),
     ("Dubois", "Lefèvre", "Moreau", "Girard", "Benoît")),
    (("José", "Javier", "Andrés", "Iñigo", "Raúl"),
     ("María", "Lucía", "Inés", "Begoña", "Sofía"),
     ("García", "Fernández", "Núñez", "Martínez", "Pérez", "Ibáñez")),
)
CHINESE_SURNAMES = ("王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
                    "马", "朱", "胡", "郭", "何", "林", "欧阳")
CHINESE_MALE = ("伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "俊杰", "建华", "志强")
CHINESE_FEMALE = ("芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "婷", "秀英", "晓燕", "雪梅")

RADIOLOGISTS = ("Dr. Anna Schmidt", "Dr. Pierre Lefèvre", "Dr. Carmen Ruiz", "Dr. Robert Hughes",
                "Dr. Jörg Bäumer", "陈建国", "林晓燕", "周志明", "王丽华")

# Report findings come in these languages; the rows of FINDINGS and ADDENDA give one
# sentence in each, in this order.
LANGUAGES = ("en", "zh", "de", "fr", "es")
EN, ZH, DE, FR, ES = range(len(LANGUAGES))

# Findings per group of exam items: a report takes two or three of a group's sentences,
# so each group's sentences must fit together whichever are taken.
FINDINGS = {
    "head_ct": (
        ("No intracranial haemorrhage.", "颅内未见出血。", "Keine intrakranielle Blutung.",
         "Pas d'hémorragie intracrânienne.", "Sin hemorragia intracraneal."),
        ("No midline shift; ventricles normal in size.", "中线结构居中，脑室系统未见扩大。",
         "Keine Mittellinienverlagerung, Ventrikel normal weit.",
         "Pas de déviation de la ligne médiane, ventricules de taille normale.",
         "Sin desviación de la línea media; ventrículos de tamaño normal."),
        ("Small old lacunar infarct in the left basal ganglia.", "左侧基底节区见陈旧性腔隙性梗死灶。",
         "Kleiner alter lakunärer Infarkt der linken Basalganglien.",
         "Petit infarctus lacunaire ancien des noyaux gris centraux gauches.",
         "Pequeño infarto lacunar antiguo en los ganglios basales izquierdos."),
        ("No skull fracture.", "颅骨未见骨折。", "Keine Kalottenfraktur.", "Pas de fracture du crâne.",
         "Sin fractura craneal."),
        ("Scalp haematoma over the right parietal bone.", "右顶部头皮血肿。", "Galeahämatom rechts parietal.",
         "Hématome du scalp pariétal droit.", "Hematoma subgaleal parietal derecho."),
    ),
    "sinus_ct": (
        ("Mucosal thickening in both maxillary sinuses.", "双侧上颌窦黏膜增厚。",
         "Schleimhautschwellung beider Kieferhöhlen.", "Épaississement muqueux des deux sinus maxillaires.",
         "Engrosamiento mucoso de ambos senos maxilares."),
        ("Ostiomeatal complexes are patent.", "窦口鼻道复合体通畅。", "Ostiomeatale Einheiten frei.",
         "Complexes ostio-méatiques perméables.", "Complejos osteomeatales permeables."),
        ("Mild leftward deviation of the nasal septum.", "鼻中隔轻度左偏。", "Leichte Septumdeviation nach links.",
         "Discrète déviation septale gauche.", "Leve desviación del tabique nasal hacia la izquierda."),
        ("Air-fluid level in the right maxillary sinus, consistent with acute sinusitis.",
         "右侧上颌窦见气液平面，符合急性鼻窦炎。",
         "Spiegelbildung in der rechten Kieferhöhle, vereinbar mit akuter Sinusitis.",
         "Niveau hydro-aérique du sinus maxillaire droit, compatible avec une sinusite aiguë.",
         "Nivel hidroaéreo en el seno maxilar derecho, compatible con sinusitis aguda."),
    ),
    "abdomen_ct": (
        ("Appendix thickened to 11 mm with surrounding fat stranding, consistent with acute appendicitis.",
         "阑尾增粗，直径约11mm，周围脂肪间隙模糊，符合急性阑尾炎。",
         "Appendix auf 11 mm verdickt mit Umgebungsreaktion, vereinbar mit akuter Appendizitis.",
         "Appendice épaissi à 11 mm avec infiltration de la graisse, compatible avec une appendicite aiguë.",
         "Apéndice engrosado de 11 mm con trabeculación de la grasa, compatible con apendicitis aguda."),
        ("Liver, spleen and pancreas are unremarkable.", "肝、脾、胰腺未见异常。",
         "Leber, Milz und Pankreas unauffällig.", "Foie, rate et pancréas sans particularité.",
         "Hígado, bazo y páncreas sin alteraciones."),
        ("No free fluid or free air.", "腹腔未见积液及游离气体。", "Keine freie Flüssigkeit, keine freie Luft.",
         "Pas d'épanchement ni de pneumopéritoine.", "Sin líquido libre ni neumoperitoneo."),
        ("Simple cyst in the right kidney.", "右肾单纯性囊肿。", "Einfache Nierenzyste rechts.",
         "Kyste rénal simple droit.", "Quiste renal simple derecho."),
    ),
    "ctpa": (
        ("No pulmonary embolism.", "肺动脉未见栓塞。", "Keine Lungenarterienembolie.",
         "Pas d'embolie pulmonaire.", "Sin tromboembolismo pulmonar."),
        ("Right ventricle not dilated.", "右心室未见扩大。", "Rechter Ventrikel nicht erweitert.",
         "Ventricule droit non dilaté.", "Ventrículo derecho no dilatado."),
        ("Small bilateral pleural effusions.", "双侧少量胸腔积液。", "Kleine Pleuraergüsse beidseits.",
         "Épanchements pleuraux bilatéraux de faible abondance.", "Pequeño derrame pleural bilateral."),
        ("Dependent atelectasis in both lower lobes.", "双肺下叶坠积性不张。",
         "Dystelektasen in beiden Unterlappen.", "Atélectasies déclives des deux lobes inférieurs.",
         "Atelectasias declives en ambos lóbulos inferiores."),
    ),
    "lumbar_spine": (
        ("Degenerative disc disease at L4-L5 and L5-S1.", "L4-5、L5-S1椎间盘退行性变。",
         "Osteochondrose LWK 4/5 und LWK 5/SWK 1.", "Discopathie dégénérative L4-L5 et L5-S1.",
         "Discopatía degenerativa L4-L5 y L5-S1."),
        ("Normal alignment of the lumbar spine.", "腰椎序列正常。", "Regelrechtes Alignement der LWS.",
         "Alignement lombaire normal.", "Alineación lumbar conservada."),
        ("No fracture.", "未见骨折。", "Keine Fraktur.", "Pas de fracture.", "Sin fracturas."),
        ("Facet joint arthrosis at the lower lumbar levels.", "下腰椎小关节退变。",
         "Facettengelenksarthrose der unteren LWS.", "Arthrose articulaire postérieure lombaire basse.",
         "Artrosis facetaria lumbar baja."),
    ),
    "bone_xray": (
        ("No fracture or dislocation.", "未见骨折及脱位。", "Keine Fraktur, keine Luxation.",
         "Pas de fracture ni de luxation.", "Sin fractura ni luxación."),
        ("Mild joint space narrowing with marginal osteophytes.", "关节间隙轻度变窄，边缘骨质增生。",
         "Geringe Gelenkspaltverschmälerung mit randständigen Osteophyten.",
         "Discret pincement articulaire avec ostéophytes marginaux.",
         "Leve disminución del espacio articular con osteofitos marginales."),
        ("Soft tissue swelling.", "软组织肿胀。", "Weichteilschwellung.", "Tuméfaction des parties molles.",
         "Aumento de partes blandas."),
        ("Normal bone mineralisation.", "骨质密度正常。", "Normale Knochenmineralisation.",
         "Minéralisation osseuse normale.", "Mineralización ósea normal."),
    ),
    "bone_age": (
        ("Bone age consistent with chronological age.", "骨龄与实际年龄相符。",
         "Knochenalter entspricht dem chronologischen Alter.",
         "Âge osseux concordant avec l'âge chronologique.", "Edad ósea acorde con la edad cronológica."),
        ("Growth plates are open.", "骨骺线未闭合。", "Wachstumsfugen offen.",
         "Cartilages de croissance ouverts.", "Cartílagos de crecimiento abiertos."),
        ("No signs of skeletal dysplasia.", "未见骨发育不良征象。", "Kein Hinweis auf Skelettdysplasie.",
         "Pas de signe de dysplasie osseuse.", "Sin signos de displasia esquelética."),
    ),
    "abdomen_us": (
        ("Multiple gallstones without gallbladder wall thickening.", "胆囊多发结石，胆囊壁未见增厚。",
         "Multiple Gallensteine ohne Wandverdickung.",
         "Lithiase vésiculaire multiple sans épaississement pariétal.",
         "Colelitiasis múltiple sin engrosamiento de la pared vesicular."),
        ("Mild hepatic steatosis.", "轻度脂肪肝。", "Leichte Steatosis hepatis.", "Discrète stéatose hépatique.",
         "Esteatosis hepática leve."),
        ("Common bile duct not dilated.", "胆总管未见扩张。", "DHC nicht erweitert.",
         "Voie biliaire principale non dilatée.", "Colédoco no dilatado."),
        ("Spleen and kidneys are unremarkable.", "脾脏及双肾未见异常。", "Milz und Nieren unauffällig.",
         "Rate et reins sans particularité.", "Bazo y riñones sin alteraciones."),
    ),
    "thyroid_us": (  # a nodule outside the chest, which a lung-nodule analysis must leave out
        ("Hypoechoic nodule of 9 mm in the right lobe, TI-RADS 3.", "甲状腺右叶见一低回声结节，大小约9mm，TI-RADS 3类。",
         "Echoarmer Knoten von 9 mm im rechten Schilddrüsenlappen, TI-RADS 3.",
         "Nodule hypoéchogène de 9 mm du lobe thyroïdien droit, TI-RADS 3.",
         "Nódulo hipoecoico de 9 mm en el lóbulo tiroideo derecho, TI-RADS 3."),
        ("Thyroid of normal size.", "甲状腺大小正常。", "Schilddrüse normal groß.", "Thyroïde de taille normale.",
         "Tiroides de tamaño normal."),
        ("No suspicious cervical lymph nodes.", "颈部未见可疑淋巴结。", "Keine suspekten zervikalen Lymphknoten.",
         "Pas d'adénopathie cervicale suspecte.", "Sin adenopatías cervicales sospechosas."),
        ("Normal vascularity on colour Doppler.", "彩色多普勒示血流信号未见异常。",
         "Unauffällige Vaskularisation in der Farbdopplersonographie.",
         "Vascularisation normale au Doppler couleur.", "Vascularización normal en el Doppler color."),
    ),
    "renal_us": (
        ("Both kidneys normal in size.", "双肾大小正常。", "Beide Nieren normal groß.", "Reins de taille normale.",
         "Ambos riñones de tamaño normal."),
        ("No hydronephrosis.", "双肾未见积水。", "Keine Harnstauung.",
         "Pas de dilatation des cavités pyélocalicielles.", "Sin hidronefrosis."),
        ("Increased cortical echogenicity, consistent with chronic kidney disease.", "双肾皮质回声增强，符合慢性肾病改变。",
         "Vermehrte Rindenechogenität, vereinbar mit chronischer Nierenerkrankung.",
         "Hyperéchogénicité corticale, compatible avec une néphropathie chronique.",
         "Aumento de la ecogenicidad cortical, compatible con nefropatía crónica."),
        ("Small cortical cyst in the left kidney.", "左肾皮质小囊肿。", "Kleine Rindenzyste der linken Niere.",
         "Petit kyste cortical du rein gauche.", "Pequeño quiste cortical en el riñón izquierdo."),
    ),
    "obstetric_us": (
        ("Single live intrauterine fetus.", "宫内单活胎。", "Intrauterine Einlingsschwangerschaft, vitaler Fetus.",
         "Grossesse intra-utérine monofœtale évolutive.", "Gestación intrauterina única con feto vivo."),
        ("Biometry consistent with gestational age.", "胎儿生长径线与孕周相符。", "Biometrie zeitgerecht.",
         "Biométrie conforme au terme.", "Biometría acorde con la edad gestacional."),
        ("Placenta posterior, not low-lying.", "胎盘位于后壁，未见低置。", "Plazenta hinterwandig, kein tiefer Sitz.",
         "Placenta postérieur, non bas inséré.", "Placenta posterior, no previa."),
        ("Normal amniotic fluid volume.", "羊水量正常。", "Normale Fruchtwassermenge.",
         "Liquide amniotique en quantité normale.", "Líquido amniótico normal."),
    ),
    "breast_us": (
        ("Oval circumscribed hypoechoic mass of 14 mm at 2 o'clock, BI-RADS 3.",
         "乳腺2点钟方向见一椭圆形低回声肿块，边界清，大小约14mm，BI-RADS 3类。",
         "Ovale glatt begrenzte echoarme Läsion von 14 mm bei 2 Uhr, BI-RADS 3.",
         "Masse ovale hypoéchogène circonscrite de 14 mm à 2 heures, BI-RADS 3.",
         "Masa ovalada hipoecoica circunscrita de 14 mm a las 2 horas, BI-RADS 3."),
        ("No axillary lymphadenopathy.", "腋窝未见肿大淋巴结。", "Keine axilläre Lymphadenopathie.",
         "Pas d'adénopathie axillaire.", "Sin adenopatías axilares."),
        ("Simple cysts in both breasts.", "双乳多发单纯囊肿。", "Einfache Zysten beidseits.",
         "Kystes simples bilatéraux.", "Quistes simples bilaterales."),
    ),
    "carotid_us": (
        ("Mild plaque at the left carotid bifurcation without significant stenosis.",
         "左侧颈动脉分叉处见小斑块，未见明显狭窄。",
         "Geringe Plaque an der linken Karotisbifurkation ohne relevante Stenose.",
         "Discrète plaque de la bifurcation carotidienne gauche sans sténose significative.",
         "Placa leve en la bifurcación carotídea izquierda sin estenosis significativa."),
        ("Normal flow velocities in both internal carotid arteries.", "双侧颈内动脉血流速度正常。",
         "Normale Flussgeschwindigkeiten der A. carotis interna beidseits.",
         "Vitesses circulatoires normales des deux carotides internes.",
         "Velocidades de flujo normales en ambas carótidas internas."),
        ("Antegrade flow in both vertebral arteries.", "双侧椎动脉血流方向正常。",
         "Orthograder Fluss in beiden Vertebralarterien.",
         "Flux antérograde dans les deux artères vertébrales.",
         "Flujo anterógrado en ambas arterias vertebrales."),
    ),
    "brain_mri": (
        ("No acute infarct on diffusion-weighted imaging.", "DWI未见急性梗死灶。",
         "Kein akuter Infarkt in der Diffusionswichtung.", "Pas d'infarctus récent en diffusion.",
         "Sin infarto agudo en la secuencia de difusión."),
        ("A few nonspecific white matter hyperintensities.", "脑白质散在少许非特异性高信号。",
         "Einzelne unspezifische Marklagerläsionen.",
         "Quelques hypersignaux non spécifiques de la substance blanche.",
         "Algunas hiperintensidades inespecíficas de la sustancia blanca."),
        ("No mass lesion or abnormal enhancement.", "未见占位及异常强化。",
         "Keine Raumforderung, keine pathologische Kontrastmittelanreicherung.",
         "Pas de processus expansif ni de prise de contraste anormale.",
         "Sin lesiones ocupantes de espacio ni realces patológicos."),
        ("Ventricles and sulci normal for age.", "脑室及脑沟与年龄相符。",
         "Altersentsprechend weite Ventrikel und Sulci.",
         "Ventricules et sillons normaux pour l'âge.", "Ventrículos y surcos acordes con la edad."),
    ),
    "knee_mri": (
        ("Tear of the posterior horn of the medial meniscus.", "内侧半月板后角撕裂。",
         "Riss des Innenmeniskushinterhorns.", "Fissure de la corne postérieure du ménisque médial.",
         "Rotura del cuerno posterior del menisco interno."),
        ("Anterior cruciate ligament intact.", "前交叉韧带完整。", "Vorderes Kreuzband intakt.",
         "Ligament croisé antérieur intact.", "Ligamento cruzado anterior íntegro."),
        ("Small joint effusion.", "关节腔少量积液。", "Geringer Gelenkerguss.", "Discret épanchement articulaire.",
         "Pequeño derrame articular."),
        ("Bone marrow oedema in the lateral femoral condyle.", "股骨外侧髁骨髓水肿。",
         "Knochenmarködem im lateralen Femurkondylus.", "Œdème osseux du condyle fémoral latéral.",
         "Edema óseo en el cóndilo femoral lateral."),
    ),
    "shoulder_mri": (
        ("Partial-thickness tear of the supraspinatus tendon.", "冈上肌腱部分撕裂。",
         "Partialruptur der Supraspinatussehne.", "Rupture partielle du tendon supra-épineux.",
         "Rotura parcial del tendón supraespinoso."),
        ("Subacromial bursitis.", "肩峰下滑囊炎。", "Bursitis subacromialis.", "Bursite sous-acromiale.",
         "Bursitis subacromial."),
        ("Acromioclavicular joint arthrosis.", "肩锁关节退变。", "AC-Gelenksarthrose.",
         "Arthrose acromio-claviculaire.", "Artrosis acromioclavicular."),
        ("Long head of the biceps tendon in normal position.", "肱二头肌长头腱位置正常。",
         "Lange Bizepssehne orthotop.", "Tendon du long biceps en place.",
         "Tendón de la porción larga del bíceps en posición normal."),
    ),
    "cervical_spine_mri": (
        ("Disc protrusion at C5-C6 narrowing the left neural foramen.", "C5-6椎间盘突出，左侧椎间孔变窄。",
         "Bandscheibenprotrusion HWK 5/6 mit Einengung des linken Neuroforamens.",
         "Protrusion discale C5-C6 rétrécissant le foramen gauche.",
         "Protrusión discal C5-C6 que estrecha el foramen izquierdo."),
        ("Normal spinal cord signal.", "颈髓信号未见异常。", "Regelrechtes Myelonsignal.", "Signal médullaire normal.",
         "Señal medular normal."),
        ("Straightening of the cervical lordosis.", "颈椎生理曲度变直。", "Steilstellung der HWS.",
         "Rectitude du rachis cervical.", "Rectificación de la lordosis cervical."),
    ),
    "prostate_mri": (
        ("PI-RADS 4 lesion in the left peripheral zone.", "左侧外周带见PI-RADS 4类病灶。",
         "PI-RADS-4-Läsion in der linken peripheren Zone.",
         "Lésion PI-RADS 4 de la zone périphérique gauche.",
         "Lesión PI-RADS 4 en la zona periférica izquierda."),
        ("Prostate volume about 45 ml.", "前列腺体积约45ml。", "Prostatavolumen etwa 45 ml.",
         "Volume prostatique d'environ 45 ml.", "Volumen prostático de unos 45 ml."),
        ("No extraprostatic extension.", "未见包膜外侵犯。", "Kein Hinweis auf extraprostatische Ausbreitung.",
         "Pas d'extension extra-prostatique.", "Sin extensión extraprostática."),
        ("Seminal vesicles unremarkable.", "双侧精囊未见异常。", "Samenblasen unauffällig.",
         "Vésicules séminales sans particularité.", "Vesículas seminales sin alteraciones."),
    ),
    "mammography": (
        ("Scattered fibroglandular densities (ACR B).", "乳腺散在纤维腺体型（ACR B型）。",
         "Mammographische Dichte ACR B.", "Seins de densité ACR B.", "Densidad mamaria ACR B."),
        ("No suspicious mass or microcalcifications.", "未见可疑肿块及微钙化。",
         "Kein suspekter Herdbefund, kein Mikrokalk.", "Pas de masse ni de microcalcifications suspectes.",
         "Sin masas ni microcalcificaciones sospechosas."),
        ("Benign-appearing calcifications in the right breast.", "右乳见良性表现钙化。",
         "Benigne imponierende Verkalkungen rechts.", "Calcifications d'allure bénigne du sein droit.",
         "Calcificaciones de aspecto benigno en la mama derecha."),
    ),
    "bone_scan": (
        ("No scintigraphic evidence of bone metastases.", "全身骨显像未见骨转移征象。",
         "Szintigraphisch kein Hinweis auf ossäre Metastasen.",
         "Pas d'argument scintigraphique pour des métastases osseuses.",
         "Sin evidencia gammagráfica de metástasis óseas."),
        ("Degenerative uptake in both knees.", "双膝关节退行性放射性浓聚。",
         "Degenerative Mehranreicherung in beiden Kniegelenken.", "Fixation dégénérative des deux genoux.",
         "Captación degenerativa en ambas rodillas."),
        ("Symmetrical renal excretion.", "双肾显影对称。", "Symmetrische renale Ausscheidung.",
         "Élimination rénale symétrique.", "Eliminación renal simétrica."),
    ),
    "thyroid_scan": (
        ("Focal increased uptake in the right lobe, consistent with a hot nodule.", "甲状腺右叶见局灶性放射性浓聚，符合热结节。",
         "Fokale Mehranreicherung im rechten Lappen, vereinbar mit einem heißen Knoten.",
         "Hyperfixation focale du lobe droit, compatible avec un nodule chaud.",
         "Captación focal aumentada en el lóbulo derecho, compatible con nódulo caliente."),
        ("Suppressed uptake in the remaining thyroid tissue.", "其余甲状腺组织摄取受抑制。",
         "Supprimierte Aufnahme im übrigen Schilddrüsengewebe.",
         "Fixation freinée du reste du parenchyme thyroïdien.",
         "Captación suprimida en el resto del tejido tiroideo."),
        ("Thyroid of normal size and position.", "甲状腺位置及大小正常。", "Schilddrüse normal groß und orthotop.",
         "Thyroïde de taille et de position normales.", "Tiroides de tamaño y posición normales."),
    ),
    "myocardial_scan": (
        ("No inducible ischaemia.", "未见负荷诱发的心肌缺血。", "Keine belastungsinduzierte Ischämie.",
         "Pas d'ischémie inductible.", "Sin isquemia inducible."),
        ("Small fixed defect in the inferior wall, consistent with an old infarct.",
         "下壁小范围固定性灌注缺损，符合陈旧性心肌梗死。",
         "Kleiner fixierter Defekt der Hinterwand, vereinbar mit altem Infarkt.",
         "Petit défaut fixe de la paroi inférieure, compatible avec une séquelle d'infarctus.",
         "Pequeño defecto fijo en la cara inferior, compatible con infarto antiguo."),
        ("Left ventricular ejection fraction 58 %.", "左室射血分数58%。", "LVEF 58 %.", "FEVG à 58 %.",
         "FEVI del 58 %."),
    ),
    "fdg_pet": (
        ("FDG-avid cervical and mediastinal lymph nodes, SUVmax 9.4.", "颈部及纵隔多发FDG高代谢淋巴结，SUVmax 9.4。",
         "FDG-avide zervikale und mediastinale Lymphknoten, SUVmax 9,4.",
         "Adénopathies cervicales et médiastinales hypermétaboliques, SUVmax 9,4.",
         "Adenopatías cervicales y mediastínicas hipermetabólicas, SUVmax 9,4."),
        ("No FDG-avid lesion in the liver or spleen.", "肝脾未见FDG高代谢病灶。",
         "Keine FDG-aviden Läsionen in Leber und Milz.",
         "Pas de lésion hypermétabolique hépatique ni splénique.",
         "Sin lesiones hipermetabólicas en hígado ni bazo."),
        ("Physiological uptake in the brain, heart and urinary tract.", "脑、心肌及泌尿系统生理性摄取。",
         "Physiologische Anreicherung in Gehirn, Herz und Harnwegen.",
         "Fixation physiologique cérébrale, cardiaque et urinaire.",
         "Captación fisiológica en cerebro, corazón y vía urinaria."),
    ),
    "psma_pet": (
        ("PSMA-avid lymph node of 8 mm in the right internal iliac chain.", "右侧髂内见一PSMA高摄取淋巴结，大小约8mm。",
         "PSMA-positiver Lymphknoten von 8 mm iliakal intern rechts.",
         "Ganglion iliaque interne droit de 8 mm fixant le PSMA.",
         "Adenopatía ilíaca interna derecha de 8 mm con captación de PSMA."),
        ("No PSMA-avid bone lesions.", "骨骼未见PSMA高摄取病灶。", "Keine PSMA-positiven Knochenläsionen.",
         "Pas de lésion osseuse fixant le PSMA.", "Sin lesiones óseas con captación de PSMA."),
        ("Physiological uptake in the salivary glands, kidneys and bowel.", "唾液腺、双肾及肠道生理性摄取。",
         "Physiologische Anreicherung in Speicheldrüsen, Nieren und Darm.",
         "Fixation physiologique des glandes salivaires, des reins et de l'intestin.",
         "Captación fisiológica en glándulas salivales, riñones e intestino."),
    ),
}
# The FINDINGS group of each exam item; the chest items are in CHEST_ITEMS instead.
ITEM_FINDINGS = {
    "Head CT": "head_ct", "Sinus CT": "sinus_ct", "Abdominal CT": "abdomen_ct",
    "CT pulmonary angiography": "ctpa", "Lumbar spine CT": "lumbar_spine",
    "Lumbar spine MRI": "lumbar_spine", "Lumbar spine radiograph": "lumbar_spine",
    "Knee X-ray": "bone_xray", "Wrist X-ray": "bone_xray", "Ankle X-ray": "bone_xray",
    "Pelvis X-ray": "bone_xray", "Hand X-ray": "bone_xray", "Hip radiograph": "bone_xray",
    "Bone age radiograph": "bone_age", "Abdominal US": "abdomen_us", "Thyroid US": "thyroid_us",
    "Renal US": "renal_us", "Obstetric US": "obstetric_us", "Breast US": "breast_us",
    "Carotid Doppler US": "carotid_us", "Brain MRI": "brain_mri", "Knee MRI": "knee_mri",
    "Shoulder MRI": "shoulder_mri", "Cervical spine MRI": "cervical_spine_mri",
    "Prostate MRI": "prostate_mri", "Screening mammography": "mammography",
    "Diagnostic mammography": "mammography", "Bone scintigraphy": "bone_scan",
    "Thyroid scintigraphy": "thyroid_scan", "Myocardial perfusion scan": "myocardial_scan",
    "Whole-body FDG PET-CT": "fdg_pet", "PSMA PET-CT": "psma_pet",
}
CHEST_ITEMS = {"Chest CT": "ct", "Chest X-ray": "xr", "Chest radiograph PA/lateral": "xr"}
# Chance of each kind of nodule mention in a chest report, as cumulative thresholds:
# with a size, several with sizes, without a size, negated; the rest mention none.
CHEST_NODULE_ODDS = {"ct": (0.25, 0.33, 0.41, 0.76), "xr": (0.12, 0.12, 0.20, 0.55)}
# Chest findings per language: {lobe} is a lobe with its preposition, {size} a size with
# its unit, {a} < {b} the sizes of two nodules; "ct" and "xr" hold the sentences about
# the rest of the chest, none of which speaks of nodules.
CHEST = {
    "en": {
        "lobes": ("in the right upper lobe", "in the right middle lobe", "in the right lower lobe",
                  "in the left upper lobe", "in the left lower lobe", "in the lingula"),
        "sized": ("A {size} solid nodule {lobe}.",
                  "A {size} ground-glass nodule {lobe}, unchanged from the prior study.",
                  "Part-solid nodule {lobe} measuring {size}.",
                  "Spiculated nodule of {size} {lobe}; further work-up recommended."),
        "sized_xr": ("A {size} nodular opacity {lobe}.", "Nodule of about {size} {lobe}; CT recommended."),
        "several": ("Two nodules, {a} and {b}, {lobe}.",
                    "Multiple small nodules in both lungs, the largest {b} {lobe}."),
        "unsized": ("Small nodular opacity {lobe}.", "Tiny nodule {lobe}, too small to characterise.",
                    "Calcified nodule {lobe}, consistent with an old granuloma."),
        "negated": ("No pulmonary nodules.", "No suspicious pulmonary nodule or mass.",
                    "No pulmonary nodules or consolidation."),
        "ct": ("No pleural effusion.", "Mediastinal lymph nodes are not enlarged.", "Heart size is normal.",
               "Mild centrilobular emphysema in both upper lobes.",
               "Minor dependent atelectasis at both bases."),
        "xr": ("Heart size is normal.", "No pleural effusion.", "No focal consolidation.",
               "Costophrenic angles are clear."),
    },
    "zh": {
        "lobes": ("右肺上叶", "右肺中叶", "右肺下叶", "左肺上叶", "左肺下叶", "左肺上叶舌段"),
        "sized": ("{lobe}见一约{size}实性结节。", "{lobe}见磨玻璃结节，大小约{size}，较前相仿。",
                  "{lobe}见一部分实性结节，直径约{size}。",
                  "{lobe}见一分叶状结节，大小约{size}，边缘见毛刺，建议进一步检查。"),
        "sized_xr": ("{lobe}见一结节影，直径约{size}。", "{lobe}见类圆形结节影，约{size}，建议CT检查。"),
        "several": ("{lobe}见两枚结节，大小分别约{a}及{b}。", "双肺多发小结节，较大者位于{lobe}，约{b}。"),
        "unsized": ("{lobe}见小结节影。", "{lobe}见微小结节，建议随访。", "{lobe}见钙化结节，考虑陈旧性病变。"),
        "negated": ("双肺未见明显结节。", "未见明显结节。", "双肺未见结节及肿块。"),
        "ct": ("双侧胸腔未见积液。", "纵隔未见肿大淋巴结。", "心脏大小正常。", "双肺上叶轻度小叶中心型肺气肿。",
               "双肺下叶少许坠积性不张。"),
        "xr": ("心影大小正常。", "双侧胸腔未见积液。", "双肺未见实变。", "双侧肋膈角锐利。"),
    },
    "de": {
        "lobes": ("im rechten Oberlappen", "im Mittellappen", "im rechten Unterlappen",
                  "im linken Oberlappen", "im linken Unterlappen", "in der Lingula"),
        "sized": ("Rundherd von {size} {lobe}.", "Solider Nodulus von {size} {lobe}.",
                  "Milchglasartiger Rundherd von {size} {lobe}, größenkonstant.",
                  "Spikulierter Rundherd von {size} {lobe}, weitere Abklärung empfohlen."),
        "sized_xr": ("Rundherd von etwa {size} {lobe}.",
                     "Fraglicher Rundherd von {size} {lobe}, CT empfohlen."),
        "several": ("Zwei Rundherde {lobe}, {a} und {b}.",
                    "Multiple kleine Rundherde beidseits, der größte {b} {lobe}."),
        "unsized": ("Kleiner Rundherd {lobe}.", "Kleine noduläre Verdichtung {lobe}.",
                    "Verkalkter Rundherd {lobe}, am ehesten altes Granulom."),
        "negated": ("Kein Rundherd.", "Keine pulmonalen Rundherde.", "Kein Nachweis pulmonaler Noduli."),
        "ct": ("Kein Pleuraerguss.", "Keine vergrößerten mediastinalen Lymphknoten.", "Herz normal groß.",
               "Geringes zentrilobuläres Emphysem beider Oberlappen.",
               "Dorsobasale Dystelektasen beidseits."),
        "xr": ("Herz normal groß.", "Kein Pleuraerguss.", "Keine Infiltrate.",
               "Sinus phrenicocostales frei."),
    },
    "fr": {
        "lobes": ("dans le lobe supérieur droit", "dans le lobe moyen", "dans le lobe inférieur droit",
                  "dans le lobe supérieur gauche", "dans le lobe inférieur gauche", "dans la lingula"),
        "sized": ("Nodule solide de {size} {lobe}.", "Nodule en verre dépoli de {size} {lobe}, stable.",
                  "Nodule mixte de {size} {lobe}.", "Nodule spiculé de {size} {lobe}, à explorer."),
        "sized_xr": ("Opacité nodulaire de {size} {lobe}.",
                     "Nodule d'environ {size} {lobe}, scanner recommandé."),
        "several": ("Deux nodules {lobe}, de {a} et {b}.",
                    "Multiples petits nodules bilatéraux, le plus grand de {b} {lobe}."),
        "unsized": ("Petite opacité nodulaire {lobe}.",
                    "Micronodule {lobe}, trop petit pour être caractérisé.",
                    "Nodule calcifié {lobe}, séquelle granulomateuse."),
        "negated": ("Pas de nodule.", "Pas de nodule pulmonaire suspect.", "Absence de nodule pulmonaire."),
        "ct": ("Pas d'épanchement pleural.", "Pas d'adénomégalie médiastinale.", "Cœur de taille normale.",
               "Discret emphysème centrolobulaire des deux sommets.",
               "Troubles ventilatoires déclives des deux bases."),
        "xr": ("Silhouette cardiaque normale.", "Pas d'épanchement pleural.", "Pas de foyer de condensation.",
               "Culs-de-sac costo-diaphragmatiques libres."),
    },
    "es": {
        "lobes": ("en el lóbulo superior derecho", "en el lóbulo medio", "en el lóbulo inferior derecho",
                  "en el lóbulo superior izquierdo", "en el lóbulo inferior izquierdo", "en la língula"),
        "sized": ("Nódulo sólido de {size} {lobe}.",
                  "Nódulo en vidrio deslustrado de {size} {lobe}, sin cambios.",
                  "Nódulo mixto de {size} {lobe}.",
                  "Nódulo espiculado de {size} {lobe}; se recomienda completar estudio."),
        "sized_xr": ("Opacidad nodular de {size} {lobe}.", "Nódulo de unos {size} {lobe}; se recomienda TC."),
        "several": ("Dos nódulos {lobe}, de {a} y {b}.",
                    "Múltiples nódulos pequeños bilaterales, el mayor de {b} {lobe}."),
        "unsized": ("Pequeña opacidad nodular {lobe}.", "Nódulo milimétrico {lobe}, no caracterizable.",
                    "Nódulo calcificado {lobe}, granuloma residual."),
        "negated": ("Sin nódulos pulmonares.", "No se observan nódulos pulmonares.",
                    "Sin nódulos ni masas pulmonares."),
        "ct": ("Sin derrame pleural.", "Sin adenopatías mediastínicas.", "Corazón de tamaño normal.",
               "Enfisema centrolobulillar leve en ambos lóbulos superiores.",
               "Atelectasias declives en ambas bases."),
        "xr": ("Silueta cardiaca normal.", "Sin derrame pleural.", "Sin consolidaciones.",
               "Senos costofrénicos libres."),
    },
}
# What an amended report adds to the findings of the report it amends.
ADDENDA = (
    ("Addendum: findings discussed with the referring physician.", "补充报告：结果已与临床医师沟通。",
     "Nachtrag: Befund mit dem Zuweiser besprochen.",
     "Addendum : résultats discutés avec le médecin prescripteur.",
     "Adenda: hallazgos comentados con el médico solicitante."),
    ("Addendum: compared with the outside study, no change.", "补充报告：与外院片比较，未见明显变化。",
     "Nachtrag: Im Vergleich zur auswärtigen Voruntersuchung unverändert.",
     "Addendum : inchangé par rapport à l'examen extérieur.",
     "Adenda: sin cambios respecto al estudio externo."),
    ("Addendum: clinical details received after reporting; conclusion unchanged.", "补充报告：补充临床资料后，结论不变。",
     "Nachtrag: Klinische Angaben nachgereicht, Beurteilung unverändert.",
     "Addendum : renseignements cliniques reçus après le compte rendu, conclusion inchangée.",
     "Adenda: datos clínicos recibidos tras el informe; conclusión sin cambios."),
)

# Fixed rather than "three years up to today", so the output never depends on the clock.
WINDOW_START = datetime(2023, 11, 1)
WINDOW_DAYS = 3 * 365
# Column lists of this many rows keep memory bounded (DuckDB copies each parameter list)
# while each INSERT stays large enough to be fast. Changing it changes the data drawn.
BATCH = 25_000
_US = 1_000_000

# Timestamps travel as microseconds since 1970 (cheaper than datetime objects to build);
# make_timestamp turns them back into naive wall-clock time. Unnesting the lists from a
# subquery, rather than straight from the parameters, makes the INSERT about twice as fast.
def _insert(table: str, columns: tuple[tuple[str, str], ...]) -> str:
    return (
        f"INSERT INTO {table} SELECT "
        + ", ".join(f"make_timestamp(unnest(c{i}))" if kind == "TIMESTAMP" else f"unnest(c{i})"
                    for i, (_, kind) in enumerate(columns))
        + " FROM (SELECT "
        + ", ".join(f"${i + 1}::{'BIGINT' if kind == 'TIMESTAMP' else kind}[] AS c{i}"
                    for i, (_, kind) in enumerate(columns))
        + ")"
    )


_INSERT = _insert(TABLE, COLUMNS)
_REPORT_INSERT = _insert(REPORTS_TABLE, REPORT_COLUMNS)

# For the reports: the examination columns they are drawn from, and lookups into the tables above.
_EXAM_COLUMN = {name: i for i, (name, _) in enumerate(COLUMNS)}
_REPORT_INPUT = ("exam_id", "patient_name", "exam_status", "exam_item", "order_datetime",
                 "check_in_datetime", "report_certification_datetime", "certified_physician")
_PRELIMINARY = {"in_progress": 0.6, "pending": 0.4}  # chance of a preliminary report
_FIRST_DAY = (WINDOW_START - datetime(1970, 1, 1)).days
_ITEMS = tuple(item for modality in MODALITIES for item, _ in modality[3])
_CHEST = tuple(CHEST[code] for code in LANGUAGES)
_SURNAME_LANGUAGE = {surname: lang for lang, (_, _, surnames) in zip((EN, DE, FR, ES), LATIN_NAMES)
                     for surname in surnames}


def demo_data_write(*, path: pathlib.Path, rows: int, seed: int = 0, force: bool = False,
                    reports: bool = True) -> int:
    """Write a realistic synthetic DuckDB file in the clinic's source layout; returns the
    number of examinations written. With reports=False the file has no reports table."""
    path = pathlib.Path(path)
    if rows < 0:
        raise ValueError(f"rows must be 0 or more, not {rows}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"cannot write {path}: the folder {path.parent} does not exist")
    if path.exists() and not force:
        raise FileExistsError(f"{path} already exists; pass --force to replace it")

    # Written beside the target and renamed at the end, so an interrupted run never
    # leaves a half-written file at path.
    partial = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.partial")
    try:
        # Without a limit DuckDB keeps the blocks it has written cached, up to most of the RAM.
        con = duckdb.connect(str(partial), config={"memory_limit": "128MB"})
        try:
            tables = ((TABLE, COLUMNS), (REPORTS_TABLE, REPORT_COLUMNS)) if reports else ((TABLE, COLUMNS),)
            for table, columns in tables:
                con.execute(f"CREATE TABLE {table} ({', '.join(f'{n} {k}' for n, k in columns)})")
            writer = _Reports(rows, seed) if reports else None
            # In one transaction DuckDB writes the rows straight into the file rather than
            # through the WAL and a checkpoint every few batches: faster, and a smaller file.
            con.begin()
            for batch in _batches(rows, seed):
                con.execute(_INSERT, batch)
                if writer is not None and (report_batch := writer.batch(batch)):
                    con.execute(_REPORT_INSERT, report_batch)
            con.commit()
        finally:
            con.close()  # checkpoints, so the data is in the file itself, not a WAL
        if path.exists() and not force:
            raise FileExistsError(f"{path} already exists; pass --force to replace it")
        # A WAL left by the database being replaced would be replayed onto the new one.
        pathlib.Path(f"{path}.wal").unlink(missing_ok=True)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
        pathlib.Path(f"{partial}.wal").unlink(missing_ok=True)
    return rows


def _batches(rows: int, seed: int):
    """Yield the table BATCH rows at a time, as one list per column."""
    rng = random.Random(seed)
    rand = rng.random  # int(rand() * n) rather than randrange(n): several times faster
    patients = max(1, rows // 4)  # about four exams per patient
    names, genders, ages = _patients(rng, patients)
    first_day = (WINDOW_START - datetime(1970, 1, 1)).days
    modality_weights = list(accumulate(m[1] for m in MODALITIES))
    status_weights = list(accumulate(STATUS_WEIGHTS))
    hour_weights = list(accumulate(HOUR_WEIGHTS))
    order_no = 300_000_000
    previous = None
    for start in range(0, rows, BATCH):
        n = min(BATCH, rows - start)
        modalities = rng.choices(MODALITIES, cum_weights=modality_weights, k=n)
        statuses = rng.choices(STATUSES, cum_weights=status_weights, k=n)
        hours = rng.choices(HOURS, cum_weights=hour_weights, k=n)
        batch = []
        for j in range(n):
            i = start + j
            if previous is not None and rand() < 0.03:
                # A second exam on the same request: same patient, time and modality.
                patient, order_us, modality, order_text = previous
            else:
                modality = modalities[j]
                patient = None
                # Days rise with the row number, so exam ids grow with time as in the source.
                day = first_day + int((i + rand()) * WINDOW_DAYS / rows)
                weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
                if weekday >= 5 and rand() < 0.8:  # the clinic mostly rests at weekends
                    day += int(rand() * 5) - weekday  # a weekday of the same week instead
                order_us = (day * 86_400 + hours[j] * 3_600 + int(rand() * 3_600)) * _US
                if rand() < 0.05:  # some source systems keep microseconds
                    order_us += 1 + int(rand() * 999_999)
                order_no += 1 + int(rand() * 3)
                order_text = f"AO{order_no:09d}"
            source, _, median_minutes, exam_items = modality
            item, indication = exam_items[int(len(exam_items) * rand() ** 2)]  # common first
            unsuited = NOT_FOR.get(item)
            if patient is None:
                for _ in range(20):  # not forever: a tiny demo may have no suitable patient
                    patient = int(rand() * patients)
                    if genders[patient] != unsuited:
                        break
            elif genders[patient] == unsuited:
                item, indication = exam_items[0]  # suits anyone this modality's first exam suited
            previous = patient, order_us, modality, order_text
            age = ages[patient]
            if age is not None:  # patients grow older over the three years
                age = min(99, age + max(0, order_us // (86_400 * _US) - first_day) // 365)
            status = statuses[j]
            check_in = certification = physician = None
            if status in CHECKED_IN:
                minutes = math.exp(rng.gauss(math.log(median_minutes), 0.6))
                check_in = order_us + int(min(240.0, max(2.0, minutes)) * 60) * _US
                if status == "completed":
                    hours_later = math.exp(rng.gauss(math.log(8), 1.0))
                    certification = check_in + int(min(72.0, max(0.5, hours_later)) * 3_600) * _US
                    physician = RADIOLOGISTS[int(rand() * len(RADIOLOGISTS))]
            r = rand()
            description = (indication if r < 0.5 else
                           GENERIC_DESCRIPTIONS[int((r - 0.5) * 16)] if r < 0.75 else None)
            batch.append((f"EX{i + 1:08d}", f"MR{patient + 1:07d}", order_text, names[patient],
                          genders[patient], age, status, source, item, description, order_us,
                          check_in, certification, physician))
        yield [list(column) for column in zip(*batch)]


def _patients(rng: random.Random, count: int) -> tuple[list, list, list]:
    """Name, gender and age at the window's start of each patient, drawn once so that
    every exam of a patient agrees."""
    names, genders, ages = [], [], []
    shared = {}  # names repeat, so equal ones share one string
    for _ in range(count):
        g = rng.random()
        gender = "M" if g < 0.48 else "F" if g < 0.96 else "U" if g < 0.99 else None
        male = gender == "M" or (gender not in ("M", "F") and rng.random() < 0.5)
        if rng.random() < 1 / 3:  # a third of the patients have Chinese names
            given = CHINESE_MALE if male else CHINESE_FEMALE
            name = rng.choice(CHINESE_SURNAMES) + rng.choice(given)
        else:
            males, females, surnames = rng.choice(LATIN_NAMES)
            name = f"{rng.choice(males if male else females)} {rng.choice(surnames)}"
        names.append(shared.setdefault(name, name))
        genders.append(gender)
        # The sum of two uniforms peaks mid-life, like the patients of an imaging clinic.
        ages.append(None if rng.random() < 0.01 else int(50 * (rng.random() + rng.random())))
    return names, genders, ages


class _Reports:
    """The reports table, one batch of examinations at a time: each batch's reports are
    drawn from that batch alone, so memory stays bounded however many rows there are.

    A certified exam gets a final report at its certification time, and a few of those a
    later amended one; some exams under way or pending get a preliminary report; and about
    one report in 200 exams is an orphan whose exam came from an older system."""

    def __init__(self, rows: int, seed: int):
        # Their own generator: drawing from the examinations' one would change them.
        self.rng = random.Random(f"{seed}-reports")
        self.rows = rows
        self.orphans = rows // 200  # at least one from 200 rows on
        self.exams = 0  # examinations seen so far
        self.written = 0  # reports numbered so far
        self.home = {}  # patient name -> the language of the name

    def batch(self, exams: list[list]) -> list[list] | None:
        """The report columns for one batch of examination columns, or None if it has none."""
        rand = self.rng.random
        out = []

        def add(exam_id, findings, radiologist, created_us, status):
            self.written += 1
            out.append((f"RP{self.written:09d}", exam_id, findings, radiologist, created_us, status))

        for exam_id, name, status, item, ordered, checked_in, certified, physician in zip(
                *(exams[_EXAM_COLUMN[c]] for c in _REPORT_INPUT)):
            if status == "completed" and certified is not None:
                lang = self._language(rand, name)
                findings = _findings(rand, item, lang)
                add(exam_id, findings, physician, certified, "final")
                if rand() < 0.03:  # corrected or completed up to four days later
                    addendum = ADDENDA[int(rand() * len(ADDENDA))][lang]
                    amended = findings + ("" if lang == ZH else " ") + addendum
                    later = certified + int((1 + rand() * 95) * 3_600) * _US
                    add(exam_id, amended, physician, later, "amended")
            elif status in _PRELIMINARY and rand() < _PRELIMINARY[status]:
                lang = self._language(rand, name)
                created = (checked_in or ordered) + int((10 + rand() * 110) * 60) * _US
                radiologist = physician or _radiologist(rand)
                add(exam_id, _findings(rand, item, lang), radiologist, created, "preliminary")

        before, self.exams = self.exams, self.exams + len(exams[0])
        for _ in range(self.exams * self.orphans // self.rows - before * self.orphans // self.rows):
            r = rand()  # mostly English, like the reports of patients with Latin names
            lang = EN if r < 0.55 else ZH if r < 0.8 else DE if r < 0.87 else FR if r < 0.94 else ES
            item = _ITEMS[int(rand() * len(_ITEMS))]
            day = _FIRST_DAY - 1 - int(rand() * 730)  # in the two years before the window
            created = (day * 86_400 + (8 + int(rand() * 10)) * 3_600 + int(rand() * 3_600)) * _US
            add(f"OLD-{int(rand() * 1_000_000):06d}", _findings(rand, item, lang), _radiologist(rand),
                created, "final")
        return [list(column) for column in zip(*out)] if out else None

    def _language(self, rand, name: str) -> int:
        """Chinese for most patients with Chinese names, the name's language for some with
        German, French or Spanish names, English otherwise."""
        home = self.home.get(name)
        if home is None:  # Chinese names have no space and no Latin surname
            home = self.home[name] = _SURNAME_LANGUAGE.get(name.rsplit(" ", 1)[-1], ZH)
        if home == EN:
            return EN
        return home if rand() < (0.8 if home == ZH else 0.4) else EN


def _findings(rand, item: str, lang: int) -> str:
    """A few template sentences in language lang that fit the exam item."""
    chest = CHEST_ITEMS.get(item)
    if chest is None:
        rows = FINDINGS[ITEM_FINDINGS[item]]
        n, first = len(rows), int(rand() * len(rows))
        sentences = [rows[(first + k) % n][lang] for k in range(min(n, 2 + (rand() < 0.4)))]
    else:
        t = _CHEST[lang]
        rest = t[chest]
        n, first = len(rest), int(rand() * len(rest))
        sentences = [rest[(first + k) % n] for k in range(1 + (rand() < 0.5))]
        sized, several, unsized, negated = CHEST_NODULE_ODDS[chest]
        r = rand()
        if r < negated:
            lobe = t["lobes"][int(rand() * len(t["lobes"]))]
            size = a = b = ""
            if r < sized:  # mostly small on CT; X-ray sees only the larger ones
                templates = t["sized" if chest == "ct" else "sized_xr"]
                size = _size(rand, 3 + int(rand() ** 2 * 25) if chest == "ct" else 8 + int(rand() * 22), lang)
            elif r < several:
                templates = t["several"]
                small = 3 + int(rand() * 5)
                a, b = _size(rand, small, lang, cm=False), _size(rand, small + 1 + int(rand() * 8), lang)
            else:
                templates = t["unsized" if r < unsized else "negated"]
            sentence = templates[int(rand() * len(templates))].format(lobe=lobe, size=size, a=a, b=b)
            sentences.insert(0 if rand() < 0.7 else 1, sentence)
    return ("" if lang == ZH else " ").join(sentences)


def _size(rand, mm: int, lang: int, cm: bool = True) -> str:
    """A nodule size as a report writes it: "6 mm", "1.2 cm", "1,2 cm", "8mm", "1.2厘米"."""
    if cm and mm >= 10 and rand() < 0.6:
        number, units = f"{mm / 10:g}", ("cm", "厘米")
    else:
        number, units = str(mm), ("mm", "毫米")
    if lang == ZH:
        return number + units[rand() < 0.3]
    return f"{number if lang == EN else number.replace('.', ',')} {units[0]}"


def _radiologist(rand) -> str:
    return RADIOLOGISTS[int(rand() * len(RADIOLOGISTS))]

